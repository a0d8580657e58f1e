"""Text → `Entry`. Pure: the path travels along for messages and file-name facts only."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Callable, Mapping
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from tilbook.config.model import Config
from tilbook.errors import EntryError, Problem
from tilbook.journal.body import scan_body
from tilbook.journal.dates import DateTextError, as_aware, date_from_name, date_from_url_path, parse_date_text
from tilbook.journal.model import DateSource, Entry, FrontMatter, NotebookRef, TitleSource
from tilbook.journal.slug import slugify
from tilbook.source import YamlProblem, load_yaml_mapping, quote_colon_values

FM = "front matter"
_FENCE_LINE = {"---": "yaml", "+++": "toml"}
# C0 controls other than tab and newline, DEL, and C1 controls: invisible, and illegal in XML feeds.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class _Parse:
    """State of one `parse_entry` call: collects problems, then builds the `Entry`."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []

    def error(self, message: str, *, line: int | None = None, key: str | None = None, hint: str | None = None) -> None:
        self.problems.append(Problem(message, path=self.shown, line=line, key=key, hint=hint, context=FM if key else None))

    def warn(self, message: str, *, line: int | None = None, key: str | None = None, hint: str | None = None) -> None:
        self.problems.append(
            Problem(message, path=self.shown, line=line, key=key, hint=hint, context=FM if key else None, severity="warning")
        )


def split_front_matter(text: str) -> tuple[str, str, str, int, int]:
    """(format, front matter text, body, line where front matter text starts, body's first line).

    Only a `---` or `+++` line at the very start opens front matter (a `---` further down is
    a rule, and one inside a code fence is an example). Raises ValueError when it never closes.
    """
    first, _, rest = text.partition("\n")
    kind = _FENCE_LINE.get(first.rstrip())
    if kind is None:
        return "none", "", text, 1, 1
    closers = ("---", "...") if kind == "yaml" else ("+++",)
    lines = rest.split("\n")
    for i, line in enumerate(lines):
        if line.rstrip() in closers:
            fm = "\n".join(lines[:i])
            body = "\n".join(lines[i + 1 :])
            return kind, fm, body, 2, i + 3
    raise ValueError(f"front matter opened with {first.rstrip()!r} on line 1 never closes")


def _toml_lines(fm: str, first_line: int) -> dict[str, int]:
    lines: dict[str, int] = {}
    table = ""
    for i, line in enumerate(fm.split("\n")):
        m = re.match(r"\s*\[+\s*([^\]]+?)\s*\]+", line)
        if m:
            table = m[1]
            lines.setdefault(table, i + first_line)
            continue
        m = re.match(r"\s*([\w.-]+|\"[^\"]*\")\s*=", line)
        if m and not table:
            lines.setdefault(m[1].strip('"'), i + first_line)
    return lines


def _load_front_matter(p: _Parse, kind: str, fm: str, first_line: int) -> tuple[dict[str, Any], dict[str, int], dict[str, str]]:
    """(data, key → line, key → raw scalar text)."""
    if kind == "toml":
        import tomllib  # Hugo's +++ front matter only

        try:
            data = tomllib.loads(fm)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            line = int(m[1]) + first_line - 1 if m else first_line
            reason = re.sub(r" \(at .*", "", str(exc))
            p.error(f"invalid TOML front matter: {reason}", line=line,
                    hint="TOML needs quoted strings: title = \"My day\"")
            return {}, {}, {}
        return data, _toml_lines(fm, first_line), {}
    try:
        doc = load_yaml_mapping(fm, first_line=first_line)
    except YamlProblem as exc:
        fixed, changed = quote_colon_values(fm)
        if not changed:
            p.error(str(exc), line=exc.line, hint=exc.hint)
            return {}, {}, {}
        try:
            doc = load_yaml_mapping(fixed, first_line=first_line)
        except YamlProblem:
            p.error(str(exc), line=exc.line, hint=exc.hint)
            return {}, {}, {}
        for n in changed:
            p.warn(
                "value contains ': ' and is not quoted; read it as text",
                line=n + first_line - 1,
                hint="put the value in quotes, e.g. title: \"Part 1: basics\"",
            )
    for keys, line in doc.duplicates:
        if len(keys) == 1:
            p.warn(f"'{keys[0]}' is written twice; the last one wins", line=line, hint="delete one of them")
    source = fm.split("\n")
    for key, value in doc.data.items():  # `tags: #파이썬`: YAML read a comment, and the key is empty
        line = doc.lines.get((key,))
        if value is None and line is not None and 0 <= line - first_line < len(source) \
                and re.search(r":\s+#[^\s#]", source[line - first_line]):  # (`# note` is a comment meant)
            p.warn(f"{key} is empty: '#' after a space starts a YAML comment", line=line, key=str(key),
                   hint=f'quote the value: {key}: "#..." (or leave out the #)')
    lines = {".".join(k): v for k, v in doc.lines.items() if len(k) <= 2}  # `notebooks.0`: a list item
    raw = {k[0]: v for k, v in doc.raw.items() if len(k) == 1}
    return doc.data, lines, raw


def _text_value(p: _Parse, data: dict[str, Any], raw: dict[str, str], key: str, line: int | None) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        p.error(f"expected text, got a {'list' if isinstance(value, list) else 'mapping'}", line=line, key=key,
                hint=f'write {key}: "..." on one line')
        return None
    text = raw.get(key, value if isinstance(value, str) else str(value))
    text = unicodedata.normalize("NFC", str(text))
    return " ".join(text.split()) or None


# What an entry says of itself for its card, its feed item and its link preview: ours and
# Chirpy's and MkDocs Material's `description`, Hugo's `summary`, Jekyll's `excerpt`
# (`tilbook import` keeps any of them as `description`).
DESCRIPTION_KEYS = ("description", "summary", "excerpt")


def _description(p: _Parse, data: dict[str, Any], raw: dict[str, str], lines: Mapping[str, int]) -> str | None:
    for key in DESCRIPTION_KEYS:
        text = _text_value(p, data, raw, key, lines.get(key))
        if text:
            return text
    return None


def _flat_terms(value: Any, *, in_list: bool = False) -> list[str]:
    """Jekyll's rules for tags and categories: a lone string splits on spaces (or on commas
    when it has any), a string in a list is one term; lists may nest (`tags: [[a, b]]`)."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = [value] if in_list else value.split(",") if "," in value else value.split()
        return [s for s in (" ".join(x.split()) for x in parts) if s]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _flat_terms(item, in_list=True)]
    if isinstance(value, bool):
        return [str(value).lower()]
    if isinstance(value, (int, float)):
        return [str(value)]
    return []


def _term_sources(data: dict[str, Any], lines: dict[str, int]) -> tuple[dict[str, Any], dict[str, int], dict[str, str]]:
    """(data, lines, key → its name in the file) for tags and categories. Zola keeps them in
    a `[taxonomies]` table: read as if at the top level (a top-level key of the same name
    wins), on the table's line."""
    tax = data.get("taxonomies")
    if not isinstance(tax, dict):
        return data, lines, {}
    lifted = {k: tax[k] for k in ("tags", "categories") if k in tax and k not in data}
    if not lifted:
        return data, lines, {}
    return ({**data, **lifted}, {**lines, **{k: lines["taxonomies"] for k in lifted if "taxonomies" in lines}},
            {k: f"taxonomies.{k}" for k in lifted})


def _terms(p: _Parse, data: dict[str, Any], lines: dict[str, int], *keys: str, names: dict[str, str] | None = None,
           toml: bool = False) -> tuple[str, ...]:
    found: list[str] = []
    seen: set[str] = set()
    for key in keys:
        value = data.get(key)
        if isinstance(value, dict):
            name = (names or {}).get(key, key)
            p.error("expected a list, got a mapping", line=lines.get(key), key=name,
                    hint=f'write {key} = ["one", "two"]' if toml else f"write {key}: [one, two]")
            continue
        for term in _flat_terms(value):
            term = unicodedata.normalize("NFC", term)
            if term.casefold() not in seen:
                seen.add(term.casefold())
                found.append(term)
    return tuple(found)


_NOTEBOOK_FORM = "write notebooks: [autoencoder] or a list of {template: gan, params: {epochs: 5}, profile: smoke}"


def _notebook_refs(p: _Parse, data: dict[str, Any], lines: dict[str, int]) -> tuple[NotebookRef, ...]:
    """`notebooks:` in the front matter: template names, or mappings with template and
    optionally name, profile and params. Shape only; names are checked at build time."""
    value = data.get("notebooks")
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, dict)) else value
    if not isinstance(items, list):
        p.error(f"expected a list of notebooks, got {value!r}", line=lines.get("notebooks"), key="notebooks",
                hint=_NOTEBOOK_FORM)
        return ()
    found: list[NotebookRef] = []
    for i, item in enumerate(items):
        line = lines.get(f"notebooks.{i}", lines.get("notebooks"))
        if isinstance(item, str) and item.strip():
            found.append(NotebookRef(name=item.strip(), template=item.strip(), line=line))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("template"), str) or not item["template"].strip():
            p.error(f"notebook {i + 1}: expected a template name or a mapping with 'template', got {item!r}",
                    line=line, key="notebooks", hint=_NOTEBOOK_FORM)
            continue
        unknown = sorted(set(item) - {"template", "name", "profile", "params"})
        params = item.get("params") or {}
        if unknown or not isinstance(params, dict):
            what = f"unknown key(s) {', '.join(map(repr, unknown))}" if unknown else "params must be a mapping"
            p.error(f"notebook {i + 1}: {what}", line=line, key="notebooks", hint=_NOTEBOOK_FORM)
            continue
        template = item["template"].strip()
        found.append(NotebookRef(
            name=str(item.get("name") or template).strip(), template=template,
            profile=str(item.get("profile") or "default"),
            params=tuple((str(k), _param_text(v)) for k, v in params.items()), line=line,
        ))
    return tuple(found)


def _authors(p: _Parse, data: dict[str, Any], lines: dict[str, int]) -> tuple[str, ...]:
    """`authors` (MkDocs Material, Hugo, Zola; `tilbook import` writes it) or `author`
    (Jekyll): a name, a list of names, or a mapping with a `name` (minimal-mistakes)."""
    for key in ("authors", "author"):
        value = data.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        names = []
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                item = item["name"]
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                p.error(f"expected a name or a list of names, got {value!r}", line=lines.get(key), key=key,
                        hint=f"write {key}: [Jane Doe, 김하늘] (or {key}: Jane Doe)")
                return ()
            name = " ".join(unicodedata.normalize("NFC", str(item)).split())
            if name and name not in names:
                names.append(name)
        return tuple(names)
    return ()


def _image(p: _Parse, data: dict[str, Any], lines: dict[str, int]) -> str | None:
    """The picture a link to the entry previews with: `image` (Chirpy writes a mapping with a
    `path`) or Hugo's `images` (the first)."""
    for key in ("image", "images"):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, dict):
            value = value.get("path")
        elif isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, str) or not value.strip():
            p.error(f"expected the address of a picture, got {data[key]!r}", line=lines.get(key), key=key,
                    hint=f"write {key}: images/plot.png (beside the entry), /images/plot.png or https://...")
            return None
        return value.strip()
    return None


_REDIRECT_FORM = "write redirect_from: [/old/address/] (paths on your old site, one per item)"


def _redirects(p: _Parse, data: dict[str, Any], lines: dict[str, int]) -> tuple[str, ...]:
    """`redirect_from` (jekyll-redirect-from) and `aliases` (Hugo, Zola): old addresses of this
    entry as URL paths from the site root, unencoded. A full URL keeps only its path."""
    found: list[str] = []
    for key in ("redirect_from", "aliases"):
        value = data.get(key)
        if value is None:
            continue
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            p.error(f"expected a list of addresses, got {value!r}", line=lines.get(key), key=key, hint=_REDIRECT_FORM)
            continue
        for item in items:
            text = item.strip()
            if "://" in text or text.startswith("//"):
                text = urlsplit(text).path
            path = "/" + unicodedata.normalize("NFC", unquote(text.split("#", 1)[0].split("?", 1)[0])).lstrip("/")
            if path == "/" or any(part in (".", "..") for part in path.split("/")):
                p.error(f"{item!r} cannot be an old address of this entry", line=lines.get(key), key=key,
                        hint="give a path below the site root, without '..'")
                continue
            if path not in found:
                found.append(path)
    return tuple(found)


_PERMALINK_FORM = "write it as a path from the site's root, such as /about/ or /{year}/{slug}.html"
_JEKYLL_FIELD = re.compile(r":(year|month|i_month|day|i_day|title|slug|categories|short_year|hour|minute|second)\b")


def _own_permalink(p: _Parse, data: dict[str, Any], line: int | None) -> str | None:
    """`permalink` from the front matter: this entry's address instead of the pattern of
    `tilbook.permalink`, with the same fields ({year}, {slug}, ...) or none. A path from
    the site's root that ends in '/' or '.html' ('/about' is read as '/about/'); never a
    full URL, and nothing that would leave the site (`..`, `\\`), which are errors here."""
    from tilbook.config.model import PERMALINK_FIELDS, pattern_fields

    value = data.get("permalink")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        p.error(f"expected a path, got {value!r}", line=line, key="permalink", hint=_PERMALINK_FORM)
        return None
    text = unicodedata.normalize("NFC", value.strip())
    problem = None
    if "://" in text or text.startswith("//"):
        problem = "is a full URL; a permalink is a path on this site"
    elif "\\" in text or any(part in (".", "..") for part in text.split("/")):
        problem = "would leave the site's folder ('..', '.' and '\\' are not allowed)"
    elif not text.startswith("/"):
        problem = "does not start with '/'"
    elif "?" in text or "#" in text or "//" in text:
        problem = "has '?', '#' or '//' in it"
    elif _JEKYLL_FIELD.search(text):
        problem = "has Jekyll's placeholders (:year, :title, ...); tilbook's are written {year}, {slug}"
    else:
        try:
            names = pattern_fields(text)
        except ValueError as exc:
            names, problem = [], f"is not a pattern tilbook can fill ({exc})"
        unknown = [n for n in names if n not in PERMALINK_FIELDS]
        if unknown:
            problem = f"has an unknown field {{{unknown[0]}}} (the fields are {', '.join('{' + f + '}' for f in PERMALINK_FIELDS)})"
    if problem is None and not text.endswith(("/", ".html")):
        if "." in text.rsplit("/", 1)[-1]:
            problem = "must end with '/' or '.html' (the site writes a page, not another kind of file)"
        else:
            text += "/"
    if problem is not None:
        p.error(f"{value!r} {problem}", line=line, key="permalink", hint=_PERMALINK_FORM)
        return None
    return text


def _param_text(value: Any) -> str:
    """A front matter value as `-p` text (`True` → true), for the spec to check."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
        return value.strip().lower() in ("true", "yes")
    return None


def _flag_value(p: _Parse, data: dict[str, Any], lines: dict[str, int], key: str, hint: str) -> bool | None:
    """The true/false front matter `key`; anything else is an error at its line (None)."""
    flag = _flag(data[key])
    if flag is None:
        p.error(f"expected true or false, got {data[key]!r}", line=lines.get(key), key=key, hint=hint)
    return flag


def _is_page(p: _Parse, data: dict[str, Any], lines: dict[str, int], *, dated: bool, rel_path: PurePosixPath) -> bool:
    """Whether the file is a page of the site (an About page), not an entry: `page: true`;
    or, as Jekyll has it, `layout: page` on a file that has no date (in its front matter or
    its name) and is not in `_posts` (a post always has one, and some blogs give every post
    the layout `page`)."""
    if data.get("page") is not None:
        return bool(_flag_value(p, data, lines, "page", "write page: true for a page of the site (an About page), "
                                                        "or remove the line for an entry"))
    layout = data.get("layout")
    return (isinstance(layout, str) and layout.strip().lower() == "page" and not dated
            and "_posts" not in rel_path.parts)


def _nav(p: _Parse, data: dict[str, Any], lines: dict[str, int]) -> tuple[bool, float | None]:
    """A page's place in the site's navigation: (`nav`, `nav_order`). Read for pages only: an
    entry's front matter may use those names for another site's theme."""
    in_nav = True
    if data.get("nav") is not None:
        in_nav = _flag_value(p, data, lines, "nav", "write nav: false to leave the page out of the navigation") is not False
    order = data.get("nav_order")
    if order is None:
        return in_nav, None
    if isinstance(order, (int, float)) and not isinstance(order, bool):
        return in_nav, float(order)
    p.error(f"expected a number, got {order!r}", line=lines.get("nav_order"), key="nav_order",
            hint="write nav_order: 1 to put the page first in the navigation (pages without one come after, by title)")
    return in_nav, None


def _date_value(p: _Parse, value: Any, key: str, line: int | None, config: Config) -> dt.datetime | None:
    zone = config.tilbook.timezone
    if isinstance(value, (dt.date, dt.datetime)):
        return as_aware(value, zone)
    if isinstance(value, str):
        try:
            return parse_date_text(value, zone)[0]
        except DateTextError as exc:
            p.error(str(exc), line=line, key=key, hint=exc.hint)
            return None
    p.error(f"expected a date like 2024-03-05, got {value!r}", line=line, key=key, hint="write it as YYYY-MM-DD")
    return None


def _name_parts(rel_path: PurePosixPath) -> tuple[str, ...]:
    """Path parts without the suffix; a page bundle (`slug/index.md`) is named by its folder."""
    parts = tuple(unicodedata.normalize("NFC", x) for x in rel_path.with_suffix("").parts)
    if parts and parts[-1] in ("index", "_index") and len(parts) > 1:
        return parts[:-1]
    return parts


def parse_entry(
    text: str,
    rel_path: PurePosixPath | str,
    *,
    config: Config,
    display_path: str | None = None,
    fallback_date: tuple[dt.datetime, DateSource] | None = None,
    abs_path: Path | None = None,
    body_tokens: Callable[[str, FrontMatter], list[Token]] | None = None,
    own_permalink: bool = True,
    page: bool | None = None,
) -> Entry:
    """Parse the decoded text of the entry at `rel_path` (inside docs_dir).

    `fallback_date` is used when neither the front matter nor the file name has a date
    (the loader passes the file's first git commit or its mtime). `body_tokens` parses the
    body with the caller's markdown-it parser (the site build renders those same tokens).
    Raises `EntryError` with every error found; warnings travel in `Entry.warnings`.
    `own_permalink` False leaves a `permalink:` unread (`tilbook import`: another site's,
    in its own syntax; it becomes an old address). `page` says whether the file is a page
    of the site (`Entry.is_page`) when the caller knows (`tilbook import`: by where the old
    site kept it); None: as its front matter says.
    """
    rel_path = PurePosixPath(unicodedata.normalize("NFC", str(rel_path)))
    p = _Parse(display_path or rel_path.as_posix())

    if _CONTROL.search(text):
        bad_lines = sorted({text.count("\n", 0, m.start()) + 1 for m in _CONTROL.finditer(text)})
        shown = ", ".join(map(str, bad_lines[:5])) + (" ..." if len(bad_lines) > 5 else "")
        p.warn(
            f"invisible control characters removed (line{'s' if len(bad_lines) > 1 else ''} {shown})",
            line=bad_lines[0],
            hint="they usually come from copy and paste; delete them in your editor",
        )
        text = _CONTROL.sub("", text)

    try:
        kind, fm_text, body, fm_line, body_line = split_front_matter(text)
    except ValueError as exc:
        raise EntryError(str(exc), path=p.shown, line=1, hint="end the front matter with a line of three dashes: ---") from None
    data, lines, raw = _load_front_matter(p, kind, fm_text, fm_line) if kind != "none" else ({}, {}, {})

    parts = _name_parts(rel_path)
    named = date_from_name(parts)
    name_rest = named[1] if named else parts[-1]

    # --- date: front matter, then Zola's `path`, then the file name, then the fallback ----
    date: dt.datetime | None = None
    source: DateSource | None = None
    material = data.get("date") if isinstance(data.get("date"), dict) else None  # MkDocs Material: created/updated
    for key in ("date", "pubDate", "published_at"):
        if data.get(key) is not None and not isinstance(data.get(key), bool):
            value = data[key]
            if material is not None and key == "date":
                if material.get("created") is None:
                    p.error("date has no 'created'", line=lines.get(key), key=key,
                            hint="write date: YYYY-MM-DD, or date: {created: YYYY-MM-DD, updated: YYYY-MM-DD}")
                    source = "front matter"
                    break
                value = material["created"]
            date = _date_value(p, value, key, lines.get(key), config)
            source = "front matter"
            break
    url_path = data.get("path") if isinstance(data.get("path"), str) else None
    from_url = date_from_url_path(url_path) if url_path else None
    name_date: dt.date | None = None
    bad_name_date = False
    if named:
        (y, m, d), _ = named
        try:
            name_date = dt.date(y, m, d)
        except ValueError:
            bad_name_date = True
            p.error(f"the file name's date {y:04d}-{m:02d}-{d:02d} is not a real date",
                    hint="rename the file to a real date, or write the date in the front matter")
    if date is None and source is None:
        if from_url:
            (y, m, d), _ = from_url
            try:
                date, source = dt.datetime(y, m, d, tzinfo=config.tilbook.timezone), "front matter path"
            except ValueError:
                p.error(f"the date in path {url_path!r} is not a real date", line=lines.get("path"), key="path")
        if date is None and name_date is not None:
            date, source = as_aware(name_date, config.tilbook.timezone), "file name"
    elif date is not None and name_date is not None and date.date() != name_date:
        p.warn(
            f"date {date.date().isoformat()} differs from the file name's {name_date.isoformat()}; using the front matter",
            line=lines.get("date"),
            key="date",
            hint="rename the file or fix the date if this is a typo (Jekyll also lets front matter win)",
        )
    is_page = page if page is not None else _is_page(p, data, lines, dated=source is not None or bad_name_date,
                                                     rel_path=rel_path)
    if date is None and source is None and not bad_name_date:
        if fallback_date is None:
            p.error("no date: none in the front matter or the file name", line=fm_line if kind != "none" else 1,
                    hint="add a line date: YYYY-MM-DD to the front matter, or name the file YYYY-MM-DD-slug.md")
        else:
            date, source = fallback_date
            if source == "mtime" and not is_page:  # (a page needs no date)
                p.warn(
                    f"no date in the front matter or the file name; using the file's modification time ({date:%Y-%m-%d})",
                    hint="add date: YYYY-MM-DD to the front matter so the date survives a copy or a clone",
                )

    updated = None
    if material is not None and material.get("updated") is not None:
        updated = _date_value(p, material["updated"], "date", lines.get("date"), config)
    for key in () if updated else ("last_modified_at", "updated", "lastmod"):
        if data.get(key) is not None:
            updated = _date_value(p, data[key], key, lines.get(key), config)
            break

    # --- title, body facts ---------------------------------------------------------------
    title = _text_value(p, data, raw, "title", lines.get("title"))
    if "title" in data and data["title"] is None:
        p.warn("title is empty", line=lines.get("title"), key="title",
               hint="write a title, or remove the line to use the first heading")
    front_matter = FrontMatter(kind, MappingProxyType(data), MappingProxyType(lines))  # type: ignore[arg-type]
    facts = scan_body(
        body,
        first_line=body_line,
        tomorrow_headings=config.tilbook.tomorrow_headings,
        tokens=body_tokens(body, front_matter) if body_tokens else None,
    )
    for line, message in facts.problems:
        p.warn(message, line=line, hint="write the day as YYYY-MM-DD, a real date: (2026-12-15까지), (due 2026-12-15)")
    title_source: TitleSource = "front matter"
    if not title:
        if facts.first_heading:
            title, title_source = facts.first_heading, "heading"
        else:
            title = " ".join(re.split(r"[-_\s]+", name_rest)).strip() or (date.date().isoformat() if date else parts[-1])
            title_source = "file name"

    # --- slug, terms, draft ----------------------------------------------------------------
    slug_text = _text_value(p, data, raw, "slug", lines.get("slug"))
    if not slug_text and from_url and from_url[1]:
        slug_text = from_url[1]
    # An entry named by its date alone, with no title (`2026/11/07.md`), takes the slug
    # `tilbook new` gives an untitled entry, not its date again (`/2026/11/07/2026-11-07/`).
    slug = (slugify(slug_text or name_rest) or (slugify(title) if title_source != "file name" else "")
            or config.tilbook.default_slug)

    term_data, term_lines, names = _term_sources(data, lines)
    toml = kind == "toml"
    categories = _terms(p, term_data, term_lines, "categories", "category", names=names, toml=toml)
    tags = _terms(p, term_data, term_lines, "tags", "tag", "keywords", names=names, toml=toml)
    draft = "_drafts" in rel_path.parts
    for key, meaning in (("draft", True), ("published", False)):
        if key in data and _flag_value(p, data, lines, key, f"write {key}: true or {key}: false") == meaning:
            draft = True
    pinned = False
    for key in ("pin", "pinned"):  # Chirpy's and MkDocs Material's: first on the home page
        if key in data and data[key] is not None:
            hint = f"write {key}: true to keep the entry first on the home page"
            pinned = bool(_flag_value(p, data, lines, key, hint)) or pinned

    notebooks = _notebook_refs(p, data, lines)
    authors = _authors(p, data, lines)
    description = _description(p, data, raw, lines)
    image = _image(p, data, lines)
    redirects = _redirects(p, data, lines)
    permalink = _own_permalink(p, data, lines.get("permalink")) if own_permalink else None

    in_nav, nav_order = _nav(p, data, lines) if is_page else (True, None)

    errors = [x for x in p.problems if x.is_error]
    if errors:
        raise EntryError(problems=p.problems)
    assert date is not None and source is not None  # every branch without a date added an error
    return Entry(
        rel_path=rel_path,
        abs_path=abs_path,
        title=title,
        title_source=title_source,
        date=date,
        date_source=source,
        updated=updated,
        slug=slug,
        categories=categories,
        tags=tags,
        draft=draft,
        front_matter=front_matter,
        body=body,
        body_line=body_line,
        excerpt=description or facts.excerpt,
        reading_minutes=facts.reading_minutes,
        todos=facts.todos,
        warnings=tuple(p.problems),
        notebooks=notebooks,
        redirects=redirects,
        authors=authors,
        image=image,
        pinned=pinned,
        permalink=permalink,
        is_page=is_page,
        in_nav=in_nav,
        nav_order=nav_order,
    )
