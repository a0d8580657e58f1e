"""`mkdocs.yml` → `Config`, reporting every problem at once with its line."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tilbook.config.model import (
    Comments,
    Remote,
    DEFAULT_ENTRY_PATH,
    DEFAULT_PERMALINK,
    DEFAULT_SLUG,
    DEFAULT_TOMORROW_HEADINGS,
    ENTRY_PATH_FIELDS,
    PERMALINK_FIELDS,
    Config,
    MarkdownExtension,
    Theme,
    TilbookSettings,
    pattern_fields,
    workspace_cache,
)
from tilbook.errors import ConfigError, Problem
from tilbook.source import DecodeProblem, Tagged, YamlDoc, YamlProblem, decode_text, load_yaml_mapping

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")

# MkDocs keys tilbook reads.
_USED = {
    "site_name", "site_url", "site_description", "site_author", "repo_url", "docs_dir",
    "site_dir", "theme", "markdown_extensions", "extra", "tilbook",
}
# MkDocs keys that are valid but mean nothing to tilbook: accepted quietly.
_MKDOCS_OTHER = {
    "nav", "copyright", "edit_uri", "edit_uri_template", "use_directory_urls", "strict",
    "dev_addr", "extra_css", "extra_javascript", "extra_templates", "watch", "hooks",
    "validation", "exclude_docs", "not_in_nav", "draft_docs", "remote_branch", "remote_name",
    "repo_name", "INHERIT", "google_analytics",
}
_THEME_KEYS = {"name", "language", "locale", "custom_dir", "favicon"}
# Theme keys of MkDocs' own themes and Material's: valid in an mkdocs.yml, unused by
# tilbook's theme, so accepted quietly (a misspelt `langauge` still warns).
_THEME_OTHER = {
    "palette", "features", "font", "icon", "logo", "static_templates", "direction", "admonition",
    "highlightjs", "hljs_languages", "hljs_style", "navigation_depth", "nav_style", "analytics",
    "shortcuts", "titles_only", "sticky_navigation", "collapse_navigation", "prev_next_buttons_location",
    "include_homepage_in_sidebar", "include_search_page", "search_index_only", "color_mode",
    "user_color_mode_toggle", "style_external_links", "logo_desc", "version", "custom_css",
}
_TILBOOK_KEYS = {
    "timezone", "tomorrow_headings", "entry_path", "default_slug", "permalink",
    "entry_template", "templates_dir", "per_page", "feed_size", "kernel", "notebooks_dir", "freeze_dir",
    "search", "remotes", "comments",
}

def find_config(start: Path | None = None) -> Path:
    """The nearest `mkdocs.yml` in `start` (default: the current folder) or above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    raise ConfigError(
        f"no mkdocs.yml in {here} or any folder above it",
        hint="run `tilbook init` to make a workspace here, or pass --config PATH",
    )


def system_timezone() -> tuple[ZoneInfo, str]:
    """The machine's IANA time zone, or UTC when it cannot be told."""
    try:
        import tzlocal

        name = tzlocal.get_localzone_name()
        if name:
            return ZoneInfo(name), name
    except Exception:  # tzlocal raises several kinds on odd systems; UTC is a safe answer
        pass
    return ZoneInfo("UTC"), "UTC"


class _Checker:
    """Collects problems while reading values out of a `YamlDoc`."""

    def __init__(self, doc: YamlDoc, path: str) -> None:
        self.doc = doc
        self.path = path
        self.problems: list[Problem] = []
        self.facts: list[tuple[str, str, Any]] = [("env", name, value) for name, value in doc.env]
        """What the config read besides its text: (kind of `_QUESTIONS`, argument, answer)."""

    def ask(self, kind: str, arg: str) -> Any:
        """One of `_QUESTIONS`, its answer noted among the facts."""
        answer = _QUESTIONS[kind](arg)
        self.facts.append((kind, arg, answer))
        return answer

    def resolve(self, path: Path) -> Path:
        return Path(self.ask("resolve", str(path)))

    def add(self, keys: tuple[str, ...], message: str, hint: str | None = None, *, warning: bool = False) -> None:
        self.problems.append(
            Problem(
                message,
                path=self.path,
                line=self.doc.line(*keys),
                key=".".join(keys),
                hint=hint,
                severity="warning" if warning else "error",
            )
        )

    def unknown(self, keys: tuple[str, ...], known: set[str], where: str) -> None:
        import difflib

        close = difflib.get_close_matches(keys[-1], sorted(known), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys {where}: {', '.join(sorted(known))}"
        self.add(keys, "unknown key, ignored", hint, warning=True)

    def string(self, data: dict[str, Any], keys: tuple[str, ...], default: Any = None) -> Any:
        value = data.get(keys[-1], default)
        if value is None or value is default:
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.doc.raw.get(keys, str(value))
        if not isinstance(value, str):
            self.add(keys, f"expected text, got {_kind(value)}", "write a single value in quotes")
            return default
        return value.strip()


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Tagged):
        return f"a {value.tag} tag"
    return f"{type(value).__name__} {value!r}"


def _check_pattern(chk: _Checker, keys: tuple[str, ...], pattern: str, fields: tuple[str, ...]) -> bool:
    try:
        names = pattern_fields(pattern)
    except ValueError as exc:
        chk.add(keys, f"bad pattern {pattern!r}: {exc}", "fields are written {year}, {month}, {day}, {slug}")
        return False
    bad = [n for n in names if n not in fields]
    if bad:
        chk.add(keys, f"unknown field {{{bad[0]}}} in {pattern!r}", f"use only {', '.join('{' + f + '}' for f in fields)}")
        return False
    parts = PurePosixPath(pattern.replace("{", "").replace("}", "")).parts
    if ".." in parts or "\\" in pattern:
        chk.add(keys, f"{pattern!r} may not contain '..' or '\\'", "write a path inside the folder, with '/'")
        return False
    return True


def _timezone(chk: _Checker, settings: dict[str, Any]) -> tuple[ZoneInfo, str, str]:
    name = chk.string(settings, ("tilbook", "timezone"))
    if name:
        try:
            return ZoneInfo(name), name, "config"
        except (ZoneInfoNotFoundError, ValueError):
            close = _close_zone(name)
            chk.add(
                ("tilbook", "timezone"),
                f"unknown time zone {name!r}",
                f"did you mean '{close}'?" if close else "use an IANA name such as Asia/Seoul or Europe/Berlin",
            )
    zone, zone_name = system_timezone()
    chk.facts.append(("zone", "", zone_name))
    return zone, zone_name, "system"


def _close_zone(name: str) -> str | None:
    import zoneinfo

    zones = sorted(zoneinfo.available_timezones())
    by_lower = {z.lower(): z for z in zones}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    import difflib

    close = difflib.get_close_matches(name, zones, n=1, cutoff=0.6)
    return close[0] if close else None


def _string_list(chk: _Checker, data: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, ...] | None:
    value = data.get(keys[-1])
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        chk.add(keys, f"expected a list of text, got {_kind(value)}", f"write e.g. {keys[-1]}: [내일 할 일, Tomorrow]")
        return None
    return tuple(str(v).strip() for v in value if str(v).strip())


def _folder(chk: _Checker, data: dict[str, Any], keys: tuple[str, ...], root: Path, default: str) -> Path:
    value = chk.string(data, keys, default)
    return chk.resolve(root / value) if value else chk.resolve(root / default)


def _markdown_extensions(chk: _Checker, value: Any) -> tuple[MarkdownExtension, ...]:
    keys = ("markdown_extensions",)
    if value is None:
        return ()
    if isinstance(value, dict):
        value = [{k: v} for k, v in value.items()]
    if not isinstance(value, list):
        chk.add(keys, f"expected a list, got {_kind(value)}", "write one extension per line: - toc")
        return ()
    found = []
    listed = isinstance(chk.doc.data.get("markdown_extensions"), list)
    for i, item in enumerate(value):
        at = keys + (str(i),) if listed else keys
        if isinstance(item, str):
            found.append(MarkdownExtension(item, line=chk.doc.line(*at)))
        elif isinstance(item, dict) and len(item) == 1:
            (name, options), = item.items()
            if options is not None and not isinstance(options, dict):
                chk.add(at + (str(name),), f"options must be a mapping, got {_kind(options)}")
                options = None
            found.append(
                MarkdownExtension(str(name), MappingProxyType(dict(options or {})), line=chk.doc.line(*at, str(name)))
            )
        else:
            chk.add(at, f"each extension is a name or 'name: {{options}}', got {_kind(item)}")
    return tuple(found)


def _theme(chk: _Checker, value: Any, root: Path) -> Theme:
    if value is None:
        return Theme()
    if isinstance(value, str):
        return Theme(name=value)
    if not isinstance(value, dict):
        chk.add(("theme",), f"expected a name or a mapping, got {_kind(value)}", "write theme: {name: tilbook, language: ko}")
        return Theme()
    for key in value:
        if str(key) not in _THEME_KEYS and str(key) not in _THEME_OTHER:
            chk.unknown(("theme", str(key)), _THEME_KEYS, "under theme")
    name = chk.string(value, ("theme", "name"), "tilbook") or "tilbook"
    language = chk.string(value, ("theme", "language")) or chk.string(value, ("theme", "locale")) or "en"
    custom = chk.string(value, ("theme", "custom_dir"))
    custom_dir = None
    if custom:
        custom_dir = chk.resolve(root / custom)
        if not chk.ask("is_dir", str(custom_dir)):
            chk.add(("theme", "custom_dir"), f"folder {custom!r} does not exist", "create it or remove the key")
            custom_dir = None
    favicon = chk.string(value, ("theme", "favicon"))
    if favicon:
        favicon = favicon.replace("\\", "/").lstrip("/")
        if ".." in favicon.split("/"):
            chk.add(("theme", "favicon"), f"{favicon!r} leaves docs_dir", "name a file inside docs_dir, e.g. images/favicon.png")
            favicon = None
    return Theme(name=name, language=language, custom_dir=custom_dir, favicon=favicon or None,
                 favicon_line=chk.doc.line("theme", "favicon") if favicon else None)


def _tilbook(chk: _Checker, value: Any, root: Path) -> TilbookSettings:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        chk.add(("tilbook",), f"expected a mapping, got {_kind(value)}", "indent tilbook's settings under 'tilbook:'")
        value = {}
    for key in value:
        if key not in _TILBOOK_KEYS:
            chk.unknown(("tilbook", str(key)), _TILBOOK_KEYS, "under tilbook")
    zone, zone_name, zone_source = _timezone(chk, value)
    headings = _string_list(chk, value, ("tilbook", "tomorrow_headings")) or DEFAULT_TOMORROW_HEADINGS

    def pattern(key: str, default: str, fields: tuple[str, ...], check: Callable[[str], str | None]) -> str:
        keys = ("tilbook", key)
        text = chk.string(value, keys, default) or default
        if text == default:
            return text
        if not _check_pattern(chk, keys, text, fields):
            return default
        wrong = check(text)
        if wrong:
            chk.add(keys, wrong, f"the default is {default!r}")
            return default
        return text

    entry_path = pattern(
        "entry_path",
        DEFAULT_ENTRY_PATH,
        ENTRY_PATH_FIELDS,
        lambda t: None
        if t.endswith((".md", ".markdown")) and not t.startswith("/")
        else f"{t!r} must be a relative path ending in .md",
    )
    permalink = pattern(
        "permalink",
        DEFAULT_PERMALINK,
        PERMALINK_FIELDS,
        lambda t: None
        if t.startswith("/") and "{slug}" in t and (t.endswith("/") or t.endswith(".html"))
        else f"{t!r} must start with '/', contain {{slug}} and end with '/' or '.html'",
    )
    slug = chk.string(value, ("tilbook", "default_slug"), DEFAULT_SLUG) or DEFAULT_SLUG
    if not re.fullmatch(r"[\w.-]+", slug):
        chk.add(("tilbook", "default_slug"), f"{slug!r} is not a slug", "use letters, digits and '-'")
        slug = DEFAULT_SLUG
    templates_dir = _folder(chk, value, ("tilbook", "templates_dir"), root, "templates")
    entry_template = None
    tpl = chk.string(value, ("tilbook", "entry_template"))
    if tpl:
        entry_template = chk.resolve(root / tpl)
        if not chk.ask("is_file", str(entry_template)):
            chk.add(("tilbook", "entry_template"), f"file {tpl!r} does not exist", "create it or remove the key")
            entry_template = None
    def count(key: str, default: int) -> int:
        raw = value.get(key, default)
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            chk.add(("tilbook", key), f"expected a whole number of at least 1, got {_kind(raw)}",
                    f"write e.g. {key}: {default}")
            return default
        return raw

    kernel = chk.string(value, ("tilbook", "kernel"), "python3") or "python3"
    search = value.get("search", True)
    if not isinstance(search, bool):
        chk.add(("tilbook", "search"), f"expected true or false, got {_kind(search)}",
                "write search: false to build without the search index")
        search = True
    return TilbookSettings(
        remotes=_remotes(chk, value.get("remotes"), root),
        comments=_comments(chk, value.get("comments")),
        search=search,
        kernel=kernel,
        notebooks_dir=_folder(chk, value, ("tilbook", "notebooks_dir"), root, "notebooks_src"),
        freeze_dir=_folder(chk, value, ("tilbook", "freeze_dir"), root, "_freeze"),
        per_page=count("per_page", 10),
        feed_size=count("feed_size", 20),
        timezone=zone,
        timezone_name=zone_name,
        timezone_source=zone_source,
        tomorrow_headings=headings,
        entry_path=entry_path,
        default_slug=slug,
        permalink=permalink,
        entry_template=entry_template,
        templates_dir=templates_dir,
    )


_COMMENT_KEYS = {
    "giscus": ({"repo_id", "category", "category_id"}, {"mapping", "reactions", "input_position"}),
    "utterances": (set(), {"issue_term", "label"}),
}


def _comments(chk: _Checker, raw: Any) -> Comments | None:
    """`tilbook.comments: {provider: giscus | utterances, repo: owner/name, ...}`."""
    keys = ("tilbook", "comments")
    if raw is None or raw is False:
        return None
    example = ("write comments:\n    provider: giscus\n    repo: you/til\n    repo_id: ...\n    category: Comments\n"
               "    category_id: ...   (giscus.app gives these four for your repository)")
    if not isinstance(raw, dict):
        chk.add(keys, f"expected a mapping, got {_kind(raw)}", example)
        return None
    provider = raw.get("provider")
    if provider not in _COMMENT_KEYS:
        chk.add((*keys, "provider"), f"expected giscus or utterances, got {_kind(provider)}",
                "giscus keeps comments in GitHub Discussions, utterances in GitHub issues")
        return None
    needed, optional = _COMMENT_KEYS[provider]
    ok = True
    repo = raw.get("repo")
    if not isinstance(repo, str) or not re.fullmatch(r"[\w.-]+/[\w.-]+", repo.strip()):
        chk.add((*keys, "repo"), "expected owner/name of a public GitHub repository, got "
                + (repr(repo) if isinstance(repo, str) else _kind(repo)),
                "write e.g. repo: you/til")
        ok = False
    options = []
    for key in sorted(needed):
        if not isinstance(raw.get(key), (str, int)) or isinstance(raw.get(key), bool) or not str(raw.get(key)).strip():
            chk.add((*keys, key) if key in raw else keys, f"{provider} needs {key}",
                    "https://giscus.app shows repo_id, category and category_id for your repository")
            ok = False
        else:
            options.append((key, str(raw[key]).strip()))
    for key, item in raw.items():
        if key in ("provider", "repo") or key in needed:
            continue
        if key not in optional:
            chk.unknown((*keys, str(key)), {"provider", "repo", *needed, *optional}, f"under comments for {provider}")
        elif not isinstance(item, (str, bool, int)):
            chk.add((*keys, str(key)), f"expected text, got {_kind(item)}")
        else:
            options.append((str(key), str(item).lower() if isinstance(item, bool) else str(item)))
    return Comments(provider, repo.strip(), tuple(sorted(options))) if ok else None


_REMOTE_KEYS = {"url", "kernel", "token_env", "token_file", "password_env", "password_file", "verify_tls"}


def _remotes(chk: _Checker, raw: Any, root: Path) -> tuple[Remote, ...]:
    """`tilbook.remotes: {NAME: {url, kernel, token_env | token_file, verify_tls}}`."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        chk.add(("tilbook", "remotes"), f"expected a mapping of names to servers, got {_kind(raw)}",
                "write remotes:\n    desktop:\n      url: https://desktop.local:8888\n      token_env: DESKTOP_TOKEN")
        return ()
    found = []
    for name, value in raw.items():
        keys = ("tilbook", "remotes", str(name))
        if not isinstance(value, dict):
            chk.add(keys, f"expected url, kernel and token_env or token_file, got {_kind(value)}")
            continue
        if "token" in value or "password" in value:
            secret = "token" if "token" in value else "password"
            chk.add((*keys, secret), f"a {secret} must not be written in mkdocs.yml (it is committed and published)",
                    f"put it in an environment variable and write token_env: VAR, or in a file outside the repo "
                    f"and write token_file: ~/.config/tilbook/{name}.token")
            continue
        for key in value:
            if key not in _REMOTE_KEYS:
                chk.add((*keys, str(key)), "unknown key", "known: " + ", ".join(sorted(_REMOTE_KEYS)), warning=True)
        url = value.get("url")
        if not isinstance(url, str) or not re.match(r"https?://", url):
            chk.add((*keys, "url"), f"expected an http(s):// address, got {_kind(url)}",
                    "write e.g. url: http://127.0.0.1:8888 (an SSH tunnel) or https://desktop.local:8888")
            continue
        token_env, token_file = value.get("token_env"), value.get("token_file")
        password_env, password_file = value.get("password_env"), value.get("password_file")
        if not (token_env or token_file or password_env or password_file):
            chk.add(keys, "no token_env, token_file, password_env or password_file: how does tilbook authenticate?",
                    "write token_env: VAR (an environment variable holding the server's token)")
            continue
        verify = value.get("verify_tls", True)
        if not isinstance(verify, bool):
            chk.add((*keys, "verify_tls"), f"expected true or false, got {_kind(verify)}")
            verify = True
        def secret_path(raw: Any) -> Path | None:
            if not raw:
                return None
            if str(raw).startswith("~"):
                chk.ask("home", "~")
            path = Path(os.path.expanduser(str(raw)))
            return path if path.is_absolute() else root / path

        found.append(Remote(str(name), url.rstrip("/"), str(value.get("kernel") or "python3"),
                            str(token_env) if token_env else None, secret_path(token_file), verify,
                            str(password_env) if password_env else None, secret_path(password_file)))
    return tuple(found)


def parse_config(text: str, *, path: Path, facts: list[tuple[str, str, Any]] | None = None) -> Config:
    """Validate the text of a `mkdocs.yml` at `path` (used for relative folders and messages).
    `facts`, when given, receives what the config depended on besides its text: environment
    variables, folders and files it checked, the system's time zone (see `_still_true`)."""
    path = path.resolve()
    root = path.parent
    shown = path.name
    try:
        doc = load_yaml_mapping(text)
    except YamlProblem as exc:
        raise ConfigError(str(exc), path=shown, line=exc.line, hint=exc.hint) from exc
    chk = _Checker(doc, shown)
    data = doc.data
    for keys, line in doc.duplicates:
        chk.problems.append(
            Problem("key written twice; the last one wins", path=shown, line=line, key=".".join(keys), severity="warning",
                    hint="delete one of them")
        )
    for key in data:
        key = str(key)
        if key == "plugins":
            chk.add(("plugins",), "tilbook does not run MkDocs plugins; ignored", "tilbook has blog, search and tags built in", warning=True)
        elif key not in _USED and key not in _MKDOCS_OTHER:
            chk.unknown((key,), _USED | _MKDOCS_OTHER, "at the top level")
    site_name = chk.string(data, ("site_name",))
    if not site_name:
        chk.add(("site_name",), "missing: every site needs a name", "add a line: site_name: My TIL")
        site_name = root.name
    extra = data.get("extra")
    if extra is not None and not isinstance(extra, dict):
        chk.add(("extra",), f"expected a mapping, got {_kind(extra)}")
        extra = None
    docs_dir = _folder(chk, data, ("docs_dir",), root, "journal")
    site_dir = _folder(chk, data, ("site_dir",), root, "site")
    if site_dir == docs_dir or docs_dir.is_relative_to(site_dir):
        chk.add(("site_dir",), "site_dir must not contain docs_dir (a build replaces site_dir)", "use site_dir: site")
    config = Config(
        config_path=path,
        root=root,
        site_name=site_name,
        site_url=chk.string(data, ("site_url",)),
        site_description=chk.string(data, ("site_description",)),
        site_author=chk.string(data, ("site_author",)),
        repo_url=chk.string(data, ("repo_url",)),
        docs_dir=docs_dir,
        site_dir=site_dir,
        theme=_theme(chk, data.get("theme"), root),
        markdown_extensions=_markdown_extensions(chk, data.get("markdown_extensions")),
        extra=MappingProxyType(dict(extra or {})),
        tilbook=_tilbook(chk, data.get("tilbook"), root),
        warnings=tuple(p for p in chk.problems if not p.is_error),
    )
    errors = [p for p in chk.problems if p.is_error]
    if errors:
        def by_line(found: list[Problem]) -> list[Problem]:  # the file read top to bottom, errors first
            return sorted(found, key=lambda p: p.line or 0)

        raise ConfigError(problems=by_line(errors) + by_line([p for p in chk.problems if not p.is_error]))
    if facts is not None:
        facts.extend(chk.facts)
    return config


def load_config(path: Path | None = None, *, cached: bool = False) -> Config:
    """Read `mkdocs.yml` (given, or found from the current folder upward) into a `Config`.

    With `cached` (`tilbook build`), a parse kept in `.tilbook/cache/config.pkl` is used while
    it still holds: the same bytes, the same tilbook code, and the same answers to what the
    parse asked of the machine (`!ENV` variables, folders, the time zone). A no-op build then
    never imports the YAML parser (a tenth of its time)."""
    path = path or find_config()
    if path.is_dir():
        path = find_config(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file", hint="pass the path of your mkdocs.yml, or run `tilbook init`")
    data = path.read_bytes()
    kept_at = workspace_cache(path.resolve().parent) / "config.pkl"
    key = _cache_key(kept_at, data) if cached else None
    if key is not None:
        hit = _cached(kept_at, key)
        if hit is not None:
            return hit
    try:
        text = decode_text(data, path=path.name)
    except DecodeProblem as exc:
        raise ConfigError(problems=[exc.problem]) from exc
    facts: list[tuple[str, str, Any]] = []
    config = parse_config(text, path=path, facts=facts)
    if key is not None:
        _keep(kept_at, key, facts, config)
    return config


# --- the cached parse ---------------------------------------------------------------------------

_CACHE_FORMAT = 1
_CODE = tuple(Path(__file__).parent.parent / name for name in ("config/load.py", "config/model.py", "source.py"))


def _cache_key(kept_at: Path, data: bytes) -> tuple[Any, ...] | None:
    """What a kept parse must match besides its facts: the config's place (the cache sits
    beside it) and bytes, and the code that parses it (its files' size and mtime: an edited
    tilbook parses anew)."""
    from tilbook import __version__

    try:
        code = tuple((s.st_size, s.st_mtime_ns) for s in map(os.stat, _CODE))
    except OSError:
        return None  # tilbook runs from an archive: no cache
    return (_CACHE_FORMAT, __version__, code, str(kept_at), data)


# What a parse may ask of the machine, by kind: the parse notes each answer (`_Checker.ask`,
# and the YAML loader for `!ENV`), and a kept parse holds while asking again gives the same.
_QUESTIONS: dict[str, Callable[[str], Any]] = {
    "env": os.environ.get,
    "resolve": lambda arg: str(Path(arg).resolve()),
    "is_dir": os.path.isdir,
    "is_file": os.path.isfile,
    "home": os.path.expanduser,
    "zone": lambda arg: system_timezone()[1],
}


def _still_true(facts: list[tuple[str, str, Any]]) -> bool:
    return all(kind in _QUESTIONS and _QUESTIONS[kind](arg) == answer for kind, arg, answer in facts)


def _cached(kept_at: Path, key: tuple[Any, ...]) -> Config | None:
    import pickle

    try:
        with open(kept_at, "rb") as fh:
            kept = pickle.load(fh)
        if kept["key"] == key and _still_true(kept["facts"]):
            return kept["config"]  # type: ignore[no-any-return]
    except Exception:  # missing, from another tilbook, or damaged: parse anew
        pass
    return None


def _keep(kept_at: Path, key: tuple[Any, ...], facts: list[tuple[str, str, Any]], config: Config) -> None:
    import pickle

    from tilbook.files import write_atomic

    try:
        kept_at.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(kept_at, pickle.dumps({"key": key, "facts": facts, "config": config}, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a read-only workspace builds without the cache
