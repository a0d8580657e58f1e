"""Checks on what entries link to: local files that are missing, and (with --strict)
internal links and anchors that lead nowhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tilbook.config.model import Config
from tilbook.errors import Problem
from tilbook.journal.model import entry_file
from tilbook.site.collect import base_path, entry_image, href
from tilbook.site.markdown import RenderedBody


def missing_assets(site: Any, bodies: dict[str, RenderedBody], assets: dict[str, Path], config: Config) -> list[Problem]:
    problems = []
    for entry in site.with_bodies:
        missing = [rel for rel in bodies[entry.rel].assets if rel not in assets]
        lines = LinkLines(_source_lines(entry)) if missing else None
        for rel in missing:
            # written relative to the entry's folder (`img/a.png`, `../img/a.png`): its name is in it
            problems.append(Problem(
                f"links to {rel!r}, which is not in {config.display_path(config.docs_dir)}/",
                path=entry_file(config, entry), line=lines.line(rel.rsplit("/", 1)[-1]) if lines else None,
                hint="put the file there, or fix the path (it is relative to the entry's folder)",
                severity="warning",
            ))
    for entry in site.with_bodies:  # the front matter's preview picture, when it is a file beside the entry
        wanted: set[str] = set()
        entry_image(entry, base_path(config), wanted)
        for rel in wanted - assets.keys():
            key = "image" if "image" in entry.front_matter.lines else "images"
            problems.append(Problem(
                f"{rel!r} is not in {config.display_path(config.docs_dir)}/", path=entry_file(config, entry),
                line=entry.front_matter.lines.get(key), key=key, context="front matter", severity="warning",
                hint="put the picture there, or fix the path (it is relative to the entry's folder)"))
    favicon = config.theme.favicon
    if favicon and favicon not in assets:
        from tilbook.site.theme import theme_files

        if not (favicon.startswith("assets/") and favicon in theme_files(config)):  # the theme's assets/ are published
            problems.append(Problem(
                f"theme.favicon: {favicon!r} is not in {config.display_path(config.docs_dir)}/",
                path=config.display_path(config.config_path), line=config.theme.favicon_line,
                hint="put the icon there (the path is relative to docs_dir), or remove the key for the theme's icon",
                severity="warning",
            ))
    return problems


_HREF = re.compile(r'<a\s[^>]*?\bhref="([^"]*)"')
# `id="…"` after a character that is not a word's (what `\bid=` says; a pattern that starts
# with a literal is searched for much faster: 6 µs a body, not 140), and `<a name>`: an
# anchor browsers still follow.
_ID = re.compile(r'id="([^"]*)"')
_A_NAME = re.compile(r'<a\s[^>]*?\bname="([^"]*)"')
# Code shows markup as text (`&lt;a href="/about"&gt;`, unescaped quotes and all): never a link.
_CODE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.S)


def broken_links(site: Any, bodies: dict[str, RenderedBody], assets: dict[str, Path], config: Config, *,
                 unread: set[str] | frozenset[str] = frozenset()) -> list[Problem]:
    """Internal links and anchors in entry bodies that lead nowhere. Links to the entries in
    `unread` (docs-relative paths of files that did not parse) are left to their errors."""
    base = base_path(config)
    pages = {unquote(p.url): p for p in site.pages}
    ids_of: dict[str, set[str]] = {}
    links_of: list[tuple[Any, list[str]]] = []
    problems = []
    for page in site.pages:  # each body read once: its ids, and its links (outside code)
        if page.template not in ("entry.html", "page.html"):
            continue
        body = page.context["body"]
        html = page.context["site"]["body_html"](body.key)
        ids_of[unquote(page.url)] = _ids(html) | ({body.title_id} if body.title_id else set())
        links_of.append((page, _HREF.findall(_CODE.sub("", html))))
    source_of = {href(base, path): entry for path, entry in site.urls.items()}  # (a search per page was N² in all)
    for page, targets in links_of:
        src = source_of[page.url]
        shown = entry_file(config, src)
        lines: list[LinkLines] = []  # the entry's file, read only when it has a problem

        def line_of(target: str, src: Any = src) -> int | None:
            if not lines:
                lines.append(LinkLines(_source_lines(src)))
            return lines[0].line(target)
        for target in targets:
            if re.match(r"^[a-zA-Z][\w+.-]*:|^//", target) and not target.startswith("tilbook:"):
                continue
            path, _, frag = unquote(target).partition("#")
            if not path:
                path = unquote(page.url)
            elif not path.startswith(base + "/") and not path.startswith("/"):
                if path in unread:
                    continue
                # (the target as the docs folder has it: the entry's folder is not in what was written)
                problems.append(Problem(f"broken link {unquote(target)!r}", path=shown,
                                        line=line_of(unquote(target).rsplit("/", 1)[-1]),
                                        hint="link to an existing entry or file"))
                continue
            rel = path[len(base) + 1:] if base else path.lstrip("/")
            if path not in pages and (path + "/") not in pages and rel not in assets:
                problems.append(Problem(f"broken link {unquote(target)!r}: no such page or file", path=shown,
                                        line=line_of(unquote(target)), hint="link to an existing entry or file"))
            elif frag and path in ids_of and frag not in ids_of[path]:
                problems.append(Problem(f"broken anchor '#{frag}': no heading with id '{frag}'"
                                        + ("" if path == unquote(page.url) else f" on {path}"), path=shown,
                                        line=line_of("#" + frag),
                                        hint="anchors are the heading text in lower case with '-' for spaces"))
    return problems


def _ids(html: str) -> set[str]:
    found = {m[1] for m in _ID.finditer(html) if not (m.start() and _is_word(html[m.start() - 1]))}
    found.update(_A_NAME.findall(html))
    return found


def _is_word(char: str) -> bool:
    """Whether `\\w` matches `char`."""
    return char.isalnum() or char == "_"


def _source_lines(entry: Any) -> list[str]:
    """The entry file's lines, to point a problem found in the rendered page at its line."""
    if entry.abs_path is None:
        return []
    try:
        return entry.abs_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


# Where a link's target is written: after `(` (or `(<`), `]: ` or an `href=`/`src=` quote.
_WRITTEN = re.compile(r"""(?:\(<?|\]:\s*|(?:href|src)=["'])([^)\s"'>]+)""")


class LinkLines:
    """The lines of an entry's file where link targets are written, read once: which line a
    target found in the rendered page came from. (A search of the file for each target took
    5 minutes for a log of 20,000 broken links.)"""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.first: dict[str, int] = {}
        for number, line in enumerate(lines, 1):
            if "(" not in line and "]:" not in line and "=" not in line:
                continue
            for written in _WRITTEN.findall(line):
                for key in _ends(written):
                    self.first.setdefault(key, number)

    def line(self, target: str) -> int | None:
        """The first line where `target` is written as a link's target, or ends one (the
        part before it may differ: `other.md#x` for `#x`, `../img/a.png` for `a.png`);
        None when it cannot be told (a target the build rewrote past recognition)."""
        if target in self.first:
            return self.first[target]
        if not any(c in target for c in ")\"'> \t"):
            return None
        # a target with a space in it (`<my notes.pdf>`): the index's words stop at spaces
        written = re.compile(r"(?:\(<?|\]:\s*|(?:href|src)=[\"'])[^)\s\"'>]*?" + re.escape(target) + r"(?=[)\s\"'>]|$)")
        return next((i for i, line in enumerate(self.lines, 1) if written.search(line)), None)


def _ends(written: str) -> list[str]:
    """What a problem may name of a written target: all of it, percent-decoded or not, and
    what follows each `/` or starts at each `#` in it."""
    keys = []
    for form in dict.fromkeys((written, unquote(written))):
        keys.append(form)
        keys.extend(form[i + 1:] for i, c in enumerate(form) if c == "/")
        keys.extend(form[i:] for i, c in enumerate(form) if c == "#" and i)
    return keys
