"""A source post's body → plain Markdown for the journal: template syntax turned into what
it meant, links to other posts pointed at their new files, local files found and listed
for copying. Pure: the caller reads and writes.

Changes keep the body's line count where they can, so report lines point into the source.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import unquote, urljoin, urlsplit

from tilbook.importer.sources import SourcePost, SourceSite
from tilbook.site.liquid import convert_jekyll, fence_after, video_embed

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
# `](dest)` with one level of parentheses inside (`kaggle(캐글).md`), and an optional title.
_INLINE = re.compile(r"(\]\()[ \t]*(<[^>\n]*>|(?:[^()\n]|\([^()\n]*\))*?)(?P<title>[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*(\))")
_REFDEF = re.compile(r"^([ \t]{0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)")
_HTML_ATTR = re.compile(r"""(<(?:img|a|source|video|audio)\b[^>]*?\s(?:src|href)=)(["'])([^"'\n]*)\2""", re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# Hugo: {{< name args >}} / {{% name args %}}; Zola: {{ name(args) }} / {% name(args) %}.
_HUGO_SC = re.compile(r"\{\{[<%]\s*(?P<close>/)?\s*(?P<name>[\w-]+)(?P<args>[^>%]*?)\s*[>%]\}\}")
_ZOLA_SC = re.compile(r"\{[{%]\s*(?P<name>[a-z_][\w]*)\((?P<args>[^)]*)\)\s*[}%]\}")
_LINK_TAG = re.compile(r"\{%-?\s*link\s+(?P<path>[^\s%]+)\s*-?%\}")  # Jekyll 4: {% link _posts/x.md %}
_ARG = re.compile(r"""(?:(?P<k>[\w-]+)\s*=\s*)?(?:"(?P<d>[^"]*)"|'(?P<s>[^']*)'|(?P<b>[^\s"',]+))""")


@dataclass
class Converted:
    body: str
    counts: Counter[str] = field(default_factory=Counter)
    notes: list[tuple[int, str, str]] = field(default_factory=list)
    """(line in the body, message, hint) for the report."""
    files: dict[Path, str] = field(default_factory=dict)
    """Source file → where it goes, relative to the journal."""


@dataclass(frozen=True)
class Targets:
    """What links may point at: every imported post by its old address and its source file."""

    by_address: dict[str, str]
    """Normalised old address → new entry path (relative to the journal)."""
    by_file: dict[Path, str]
    """Source file (resolved) → new entry path."""
    by_post_name: dict[str, str]
    """Jekyll `{% post_url NAME %}` name (file stem) → new entry path."""


def address_key(path: str) -> str:
    """An address in the form links are matched by: decoded, NFC, no `index.html`, `.html`
    or trailing slash, lower case."""
    path = unicodedata.normalize("NFC", unquote(path.split("#", 1)[0].split("?", 1)[0]))
    for tail in ("index.html", "index.htm"):
        if path.endswith("/" + tail):
            path = path[: -len(tail)]
    if path.endswith(".html"):
        path = path[:-5]
    return "/" + path.strip("/").lower()


def _args(text: str) -> tuple[list[str], dict[str, str]]:
    positional, named = [], {}
    for m in _ARG.finditer(text):
        value = m["d"] if m["d"] is not None else m["s"] if m["s"] is not None else m["b"]
        if m["k"]:
            named[m["k"]] = value
        else:
            positional.append(value)
    return positional, named


class _Body:
    def __init__(self, site: SourceSite, post: SourcePost, new_rel: str, targets: Targets, old_address: str | None) -> None:
        self.site, self.post, self.new_rel, self.targets = site, post, new_rel, targets
        self.old_address = old_address
        self.out = Converted("")
        self.missing: list[tuple[int, str]] = []
        self.produced: set[str] = set()
        self.folder = posixpath.dirname(new_rel)

    def note(self, line: int, message: str, hint: str = "") -> None:
        self.out.notes.append((line, message, hint))

    def rel_link(self, to: str, frag: str = "") -> str:
        """A link from the new entry to a journal path."""
        rel = posixpath.relpath(to, self.folder or ".") + (f"#{frag}" if frag else "")
        self.produced.add(rel)  # already where it points: the link pass leaves it alone
        return rel

    # --- links --------------------------------------------------------------------------

    def link(self, dest: str, line: int, *, image: bool) -> str:
        """The new destination for a link or image source found in the post."""
        if not dest or dest.startswith("#") or dest in self.produced:
            return dest
        if dest.startswith("@/"):  # Zola: a link to a content file
            path, _, frag = dest[2:].partition("#")
            found = self.post_file(self.site.content / unquote(path))
            if found:
                self.out.counts["link to another post"] += 1
                return self.rel_link(found, frag)
            self.note(line, f"link {dest!r} names no imported post", "fix the link by hand")
            return dest
        if self.site.url and dest.startswith(self.site.url + "/"):  # the old site's own address: a path there
            dest = dest[len(urlsplit(self.site.url).scheme) + 3 + len(urlsplit(self.site.url).netloc):]
        if _SCHEME.match(dest) or dest.startswith("//"):
            return dest
        local = dest.replace("\\", "/") if "\\" in dest and "://" not in dest else dest
        path, _, frag = local.partition("#")
        path = path.split("?", 1)[0]
        # 1. another post, by its old address (root-absolute, or relative to this post's address)
        if path.startswith("/"):
            address = path[len(self.site.base):] if self.site.base and path.startswith(self.site.base + "/") else path
        elif self.old_address:
            address = posixpath.normpath(posixpath.join(posixpath.dirname(self.old_address.rstrip("/") + "/x"), path))
        else:
            address = None
        if address is not None and not image:
            found = self.targets.by_address.get(address_key(address))
            if found:
                self.out.counts["link to another post"] += 1
                return self.rel_link(found, frag)
        # 2. a file next to the source: another post, or a file to copy
        candidates: list[Path] = []
        if path.startswith("/"):
            rest = unquote(address or path).lstrip("/")
            candidates = [root / rest for root in self.site.files_roots]
        elif path:
            candidates = [self.post.path.parent / unquote(path)]
            if self.site.kind == "jekyll":  # Typora writes ../images/... from _posts/
                candidates.append(self.site.root / unquote(path).lstrip("./"))
        for candidate in candidates:
            try:
                resolved = candidate.resolve()
            except OSError:
                continue
            if resolved in self.targets.by_file:
                self.out.counts["link to another post"] += 1
                return self.rel_link(self.targets.by_file[resolved], frag)
            if resolved.is_file() and _inside(resolved, self.site.root):
                where = self._place(resolved)
                self.out.files[resolved] = where
                self.out.counts["file copied"] += 1
                return _dest_text(self.rel_link(where, frag))
        if not path:
            return dest
        # 3. not found: link to where it is on the old site, when that is known
        self.missing.append((line, dest))
        if self.site.url:
            if path.startswith("/"):
                url = self.site.url + "/" + (address or path).lstrip("/")
            elif self.site.kind == "jekyll":  # Typora's ../images/x.png is written from _posts/, in the source tree
                tree = posixpath.normpath(posixpath.join(posixpath.dirname(self.post.rel), unquote(path)))
                url = self.site.url + "/" + tree.lstrip("./")
            else:  # a bundle's file was published beside its page
                url = urljoin(self.site.url + "/" + (self.old_address or "").lstrip("/"), path)
            self.out.counts["link to the old site (not found here)"] += 1
            return _dest_text(url + (f"#{frag}" if frag else ""))
        self.out.counts["link not found here, kept"] += 1
        return _dest_text(local) if local != dest else dest

    def missing_note(self) -> None:
        """One line for the files a post links to that are not beside its source."""
        if not self.missing:
            return
        names = ", ".join(dict.fromkeys(d for _, d in self.missing))
        if len(names) > 160:
            names = names[:160].rsplit(", ", 1)[0] + ", …"
        n = len(self.missing)
        if self.site.url:
            self.note(self.missing[0][0], f"{n} link{'s' if n > 1 else ''} to files or pages not found beside the "
                      f"source, pointed at the old site {self.site.url} instead: {names}",
                      "copy the files into the journal (next to the entry) to keep them when the old site goes")
        else:
            self.note(self.missing[0][0], f"{n} link{'s' if n > 1 else ''} to files or pages not found beside the "
                      f"source, kept as written: {names}",
                      "copy them into the journal next to the entry, or pass --site-url to link the old site")

    def post_file(self, path: Path) -> str | None:
        """The new entry of the post at `path`, written with or without `.md` (or as a bundle)."""
        for candidate in (path, path.with_name(path.name + ".md"), path / "index.md"):
            found = self.targets.by_file.get(candidate.resolve())
            if found:
                return found
        return None

    def _place(self, source: Path) -> str:
        """Where a copied file goes in the journal: beside the entry for a page bundle's own
        files, else at its path in the old site (so `/images/a.png` → `images/a.png`)."""
        if self.post.bundle and _inside(source, self.post.path.parent):
            return posixpath.join(self.folder, source.relative_to(self.post.path.parent).as_posix())
        for root in (*self.site.files_roots, self.site.root):
            if _inside(source, root):
                return unicodedata.normalize("NFC", source.relative_to(root).as_posix())
        return unicodedata.normalize("NFC", source.name)

    def links_in_line(self, text: str, number: int) -> str:
        def inline(m: re.Match[str]) -> str:
            raw = m.group(2)
            dest = raw[1:-1] if raw.startswith("<") else raw
            image = _is_image(m.string, m.start())
            new = self.link(dest.strip(), number, image=image)
            if new == dest.strip():
                return m.group(0)
            return f"{m.group(1)}{new}{m.group('title') or ''})"

        def html_attr(m: re.Match[str]) -> str:
            new = self.link(m.group(3), number, image=m.group(1).lower().startswith("<img"))
            new = new[1:-1] if new.startswith("<") and new.endswith(">") else new
            quote = m.group(2)
            new = new.replace(quote, "%22" if quote == '"' else "%27")
            return f"{m.group(1)}{quote}{new}{quote}"

        def refdef(m: re.Match[str]) -> str:
            raw = m.group(2)
            dest = raw[1:-1] if raw.startswith("<") else raw
            return m.group(1) + self.link(dest, number, image=False)

        text = _outside_code_spans(text, lambda part: _HTML_ATTR.sub(html_attr, _INLINE.sub(inline, part)))
        return _REFDEF.sub(refdef, text)

    # --- shortcodes ---------------------------------------------------------------------

    def shortcodes(self, text: str, number: int) -> str:
        def hugo(m: re.Match[str]) -> str:
            name = m["name"]
            positional, named = _args(m["args"])
            first = named.get("id") or (positional[0] if positional else "")
            if m["close"]:
                if name == "highlight":
                    return "```"
                return m.group(0)
            if name in ("youtube", "vimeo"):
                embed = video_embed(name, first)
                if embed:
                    self.out.counts[f"{{{{< {name} >}}}}"] += 1
                    return embed
            if name in ("ref", "relref"):
                target, _, frag = first.partition("#")
                base = self.site.content if target.startswith("/") else self.post.path.parent
                found = self.post_file(base / target.lstrip("/"))
                if found:
                    self.out.counts[f"{{{{< {name} >}}}}"] += 1
                    return self.rel_link(found, frag)
            if name == "figure" and named.get("src"):
                self.out.counts["{{< figure >}}"] += 1
                alt = named.get("alt") or named.get("caption") or ""
                return f"![{alt}]({self.link(named['src'], number, image=True)})"
            if name == "highlight" and positional:
                self.out.counts["{{< highlight >}}"] += 1
                return "```" + positional[0]
            return m.group(0)

        def zola(m: re.Match[str]) -> str:
            positional, named = _args(m["args"])
            if m["name"] in ("youtube", "vimeo"):
                embed = video_embed(m["name"], named.get("id") or (positional[0] if positional else ""))
                if embed:
                    self.out.counts[f"{{{{ {m['name']}() }}}}"] += 1
                    return embed
            return m.group(0)

        if self.site.kind == "hugo":
            return _HUGO_SC.sub(hugo, text)
        if self.site.kind == "zola":
            return _ZOLA_SC.sub(zola, text)
        return text


def _outside_fences(lines: list[str]) -> Iterator[int]:
    """Indexes of the lines outside fenced code (a fence closes with the same character,
    at least as long)."""
    fence: str | None = None
    for i, line in enumerate(lines):
        before, fence = fence, fence_after(line, fence, _FENCE)  # (fences indented any amount: list items)
        if before is None and fence is None:
            yield i


def _opens_indented_code(lines: list[str], i: int) -> bool:
    """Whether line `i` is an indented code block's (roughly: indented, after a blank line)."""
    return lines[i].startswith(("    ", "\t")) and i > 0 and not lines[i - 1].strip()


def _is_image(text: str, start: int) -> bool:
    """Whether the `](` at `start` closes an image's `![alt`."""
    depth = 0
    for i in range(start - 1, -1, -1):
        ch = text[i]
        if ch == "]":
            depth += 1
        elif ch == "[":
            if depth == 0:
                return i > 0 and text[i - 1] == "!"
            depth -= 1
    return False


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _dest_text(dest: str) -> str:
    """A link destination as Markdown accepts it: `<...>` when it has spaces or unpaired parentheses."""
    if any(c in dest for c in " \t") or dest.count("(") != dest.count(")"):
        return f"<{dest}>"
    return dest


def _outside_code_spans(text: str, change: Callable[[str], str]) -> str:
    out, last = [], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(change(text[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(change(text[last:]))
    return "".join(out)


_PRE_TAG = re.compile(r"<(/?)pre\b[^>]*>", re.I)
# What a blank line inside <pre> becomes: not blank to Markdown, nothing to the browser.
EMPTY_PRE_LINE = "<span></span>"


def keep_pre_whole(lines: list[str]) -> int:
    """Make the blank lines inside raw HTML `<pre>` elements non-blank, in place; the number
    of `<pre>` elements changed.

    kramdown (Jekyll) keeps an HTML block whole up to its closing tag; CommonMark ends it at
    the first blank line, so a `<pre>` with blank lines (every code cell of a Jupyter
    notebook exported to HTML) fell apart: the rest of its lines became an indented code
    block or paragraphs that showed its `<span class="n">` markup as text. Each blank line
    becomes its own whitespace and an empty `<span></span>`: the block stays whole, the
    browser shows the same empty line, and the body keeps its line count. A `<pre>` in
    fenced code, in a code span or in an indented code block is text and left alone."""
    outside = set(_outside_fences(lines))
    blank: list[int] | None = None  # inside a <pre>: its blank lines so far
    fixed = 0
    for i, line in enumerate(lines):
        if i not in outside:
            continue
        if not line.strip():
            if blank is not None:
                blank.append(i)
            continue
        if blank is None and _opens_indented_code(lines, i):
            continue
        for m in _PRE_TAG.finditer(_CODE_SPAN.sub(lambda c: " " * len(c.group(0)), line)):
            if not m.group(1):
                blank = [] if blank is None else blank
            elif blank is not None:
                for j in blank:  # only once it closes: an unclosed <pre> is left as written
                    lines[j] += EMPTY_PRE_LINE
                fixed += bool(blank)
                blank = None
    return fixed


_MARKDOWN_ATTR = re.compile(r"""^([ ]{0,3}<[a-zA-Z][\w-]*\b[^>]*?)\s+markdown=(["']?)(?:1|block)\2(\s[^>]*)?>\s*$""")


def markdown_in_html(lines: list[str]) -> int:
    """kramdown's `<div markdown="1">`: its content is Markdown. CommonMark reads the lines
    after an HTML tag as HTML up to the next blank line, so a notice box's bold and list
    (`<div class="notice--primary" markdown="1">` then `**요약**`, `- 삽입: O(L)`) showed
    as raw text. The attribute goes and a blank line follows the tag: CommonMark then
    parses what is inside as Markdown, as kramdown did. In place; the number of tags.
    Adds lines: run it after everything that reports a line number."""
    outside = set(_outside_fences(lines))
    out: list[str] = []
    changed = 0
    for i, line in enumerate(lines):
        m = _MARKDOWN_ATTR.match(line) if i in outside else None
        if m is None:
            out.append(line)
            continue
        out.append(f"{m[1]}{m[3] or ''}>")
        changed += 1
        if i + 1 < len(lines) and lines[i + 1].strip():
            out.append("")
    lines[:] = out
    return changed


_CAPTURE_OPEN = re.compile(r"^[ \t]*\{%-?\s*capture\s+([\w-]+)\s*-?%\}[ \t]*$")
_CAPTURE_CLOSE = re.compile(r"^[ \t]*\{%-?\s*endcapture\s*-?%\}[ \t]*$")
_MARKDOWNIFY = re.compile(r"\{\{-?\s*([\w-]+)\s*\|\s*markdownify\s*-?\}\}")


def markdownified_captures(lines: list[str]) -> dict[str, tuple[int, int]]:
    """minimal-mistakes' way to put Markdown in a notice box::

        {% capture notice-2 %}
        **요약** ...
        {% endcapture %}
        <div class="notice">{{ notice-2 | markdownify }}</div>

    Each captured name used as `{{ name | markdownify }}`, with its block's first and last
    line (indexes of the `capture` and `endcapture` lines; outside fenced code)."""
    outside = set(_outside_fences(lines))
    blocks: dict[str, tuple[int, int]] = {}
    used: set[str] = set()
    start: tuple[str, int] | None = None
    for i, line in enumerate(lines):
        if i not in outside:
            continue
        if start is None and (m := _CAPTURE_OPEN.match(line)):
            start = (m[1], i)
        elif start is not None and _CAPTURE_CLOSE.match(line):
            blocks[start[0]] = (start[1], i)
            start = None
        elif start is None:
            used.update(m[1] for m in _MARKDOWNIFY.finditer(line))
    return {name: span for name, span in blocks.items() if name in used}


def inline_captures(lines: list[str], blocks: dict[str, tuple[int, int]]) -> int:
    """Each `{{ name | markdownify }}` of `markdownified_captures` becomes the captured
    Markdown, on lines of its own with a blank line around it (so CommonMark reads it as
    Markdown inside the HTML around it, as Jekyll's markdownify did), and the capture blocks
    go. In place; the number of places filled. Moves lines: run it after every report."""
    content = {name: lines[a + 1:b] for name, (a, b) in blocks.items()}
    dropped = {i for a, b in blocks.values() for i in range(a, b + 1)}
    out: list[str] = []
    filled = 0
    for i, line in enumerate(lines):
        if i in dropped:
            continue
        m = _MARKDOWNIFY.search(line)
        if m is None or m[1] not in content:
            out.append(line)
            continue
        while m and m[1] in content:
            before, line = line[:m.start()], line[m.end():]
            if before.strip():
                out.append(before.rstrip())
            out.extend(["", *content[m[1]], ""])
            filled += 1
            m = _MARKDOWNIFY.search(line)
        if line.strip():
            out.append(line.strip())
    lines[:] = out
    return filled


_ZOLA_LEFT = re.compile(r"\{\{\s*[a-z_]\w*\(.*?\)\s*\}\}|\{%\s*[a-z_]\w*\(.*?\)\s*%\}|\{%\s*end\s*%\}")


def convert_body(body: str, *, site: SourceSite, post: SourcePost, new_rel: str, targets: Targets,
                 old_address: str | None, yaml_front_matter: bool, attr_list: bool) -> Converted:
    b = _Body(site, post, new_rel, targets, old_address)
    leftovers: list[tuple[int, str]] = []
    if site.kind == "jekyll" and yaml_front_matter:
        def post_url(name: str) -> str | None:
            found = targets.by_post_name.get(name.rsplit("/", 1)[-1])
            return b.rel_link(found) if found else None

        def link_tag(m: re.Match[str]) -> str:
            found = b.post_file(site.root / m["path"])
            if found is None:
                return m.group(0)
            b.out.counts["{% link %}"] += 1
            return b.rel_link(found)

        body = _LINK_TAG.sub(link_tag, body)
        # {{ site.url }}{{ site.baseurl }}/x → the old site's address; links below map it home.
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(site.url)) if site.url else ""
        result = convert_jekyll(body, base_path=site.base, site_url=origin, post_url=post_url,
                                ial="attrs" if attr_list else "drop")
        body = result.text
        b.out.counts.update(result.counts)
        leftovers.extend(result.leftovers)
        for line, name in result.unknown_posts:
            b.note(line, f"{{% post_url {name} %}} names no imported post; left as written", "fix the link by hand")
        if result.counts["kramdown attribute list"] and not attr_list:
            b.note(0, f"{result.counts['kramdown attribute list']} kramdown attribute list(s) dropped",
                   "enable attr_list in markdown_extensions of mkdocs.yml to keep them")
    lines = body.split("\n")
    captured = markdownified_captures(lines) if site.kind == "jekyll" and "markdownify" in body else {}
    if captured:  # converted below, after the reports: not left as text
        spans = {i + 1 for a, b in captured.values() for i in (a, b)}
        leftovers = [(n, text) for n, text in leftovers
                     if n not in spans and not ((m := _MARKDOWNIFY.fullmatch(text)) and m[1] in captured)]
    if site.kind == "jekyll" and "<pre" in body.lower():
        b.out.counts["<pre> with blank lines kept whole"] += keep_pre_whole(lines)
    for i in _outside_fences(lines):
        line = lines[i]
        if _opens_indented_code(lines, i):
            continue
        if "{{" in line or "{%" in line:
            line = b.shortcodes(line, i + 1)
            if site.kind in ("hugo", "zola"):
                left = [m.group(0) for m in _HUGO_SC.finditer(line)] or [m.group(0) for m in _ZOLA_LEFT.finditer(line)]
                leftovers.extend((i + 1, text) for text in left)
        if "](" in line or "]:" in line or "src=" in line or "href=" in line:
            line = b.links_in_line(line, i + 1)
        lines[i] = line
    for line, text in leftovers:
        b.note(line, f"{text[:60]!r} has no meaning here; left as text", "rewrite it as Markdown or HTML, or delete it")
    b.out.counts["left as text"] += len(leftovers)
    b.missing_note()
    if captured:  # (first: the blocks' line indexes are those of the body as split)
        b.out.counts["{% capture %} + markdownify"] += inline_captures(lines, captured)
    if site.kind == "jekyll" and "markdown=" in body:
        b.out.counts['<div markdown="1"> read as Markdown'] += markdown_in_html(lines)
    b.out.body = "\n".join(lines)
    return b.out


_ANCHOR_LINK = re.compile(r"(\]\(<?|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?|\bhref=[\"'])([^\s()<>\"'#]*)#([^\s()<>\"']+)")


def _ascii_words(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def match_anchor(frag: str, ids: list[str]) -> str | None:
    """Our heading id for an anchor the old site made: the same; the same but for case or
    for letters it dropped or spelled out (kramdown keeps only ASCII; Zola spells 🦀 'crab')."""
    if frag in ids:
        return frag
    decoded = unicodedata.normalize("NFC", unquote(frag))
    for candidate in (decoded, decoded.lower()):
        if candidate in ids:
            return candidate
    plain = _ascii_words(decoded)
    same = [i for i in ids if plain and _ascii_words(i) == plain]
    if len(same) == 1:
        return same[0]
    longer = sorted((i for i in ids if _ascii_words(i) and plain.startswith(_ascii_words(i) + "-")),
                    key=lambda i: -len(_ascii_words(i)))
    if longer and (len(longer) == 1 or len(_ascii_words(longer[0])) > len(_ascii_words(longer[1]))):
        return longer[0]
    return None


def fix_anchors(text: str, rel: str, ids_of: dict[str, list[str]]) -> tuple[str, int, list[tuple[int, str]]]:
    """Point `#anchor` links (in this entry, or into another imported one) at our heading
    ids. Returns the text, how many changed, and (line, link) of those left unmatched."""
    folder = posixpath.dirname(rel)
    changed = 0
    unmatched: list[tuple[int, str]] = []
    lines = text.split("\n")
    for n in _outside_fences(lines):
        line = lines[n]
        if "#" not in line:
            continue

        def sub(mm: re.Match[str]) -> str:
            nonlocal changed
            path, frag = mm.group(2), mm.group(3)
            target = rel if not path else posixpath.normpath(posixpath.join(folder, unquote(path)))
            if target not in ids_of:
                return mm.group(0)
            found = match_anchor(frag, ids_of[target])
            if found is None:
                unmatched.append((n + 1, f"{path}#{frag}"))
                return mm.group(0)
            if found == frag:
                return mm.group(0)
            changed += 1
            return f"{mm.group(1)}{path}#{found}"

        lines[n] = _outside_code_spans(line, lambda part: _ANCHOR_LINK.sub(sub, part))
    return "\n".join(lines), changed, unmatched
