"""Search: a Pagefind index of the entries, made to find Korean the way people type it.

Pagefind splits Korean on spaces only, so `토치` (inside `파이토치를`) is not found and a
query typed without the text's spaces (`딥러닝서버`) misses. tilbook keeps Pagefind (its
index format, its loader, its ranking) and changes what it indexes and how it is asked:

* **Index side** (here). Pagefind matches every query word as a *prefix* of the indexed
  words, which already finds stems without their particles (`파이토치` → `파이토치를`).
  Beside each entry's text tilbook indexes, at a low weight, every suffix of two or more
  syllables of its longer Hangul words (`토치를`, `치를` for `파이토치를`): a prefix of one
  of them is any part of the word, so parts of compounds are found too.
* **Query side** (`assets/search.js`). Particles are stripped from the query's Korean
  words, scripts are split (`파이토치DataLoader`), and a long Korean word that finds too
  little is searched again by its syllable pairs, ranking entries by how many pairs they
  hold: that is how `딥러닝서버` finds `딥러닝 서버`. The excerpt is cut from the visible
  text, never from the added suffixes.

The index is rebuilt only when what it holds changed (its key is over every document).
Pagefind reads one small HTML page per entry written for it (not the site's pages): the
title, tags, the rendered body and the suffixes, after a marker the script cuts at.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from tilbook.errors import BuildError
from tilbook.site.keys import digest

INDEX_FORMAT = 1
FOLDER = "pagefind"
# Between the visible text and the added suffixes: the script cuts excerpts before it.
MARK = "\u2042"
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]{3,}")
# Pagefind's own search UIs: tilbook has its box (assets/search.js), so they are not published.
_UNUSED = re.compile(r"pagefind-(ui|component-ui|modular-ui|highlight)\.")
_ANCHOR = re.compile(r'<a class="header-anchor"[^>]*>.*?</a>')
_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


@dataclass(frozen=True)
class SearchDoc:
    """What the index holds for one entry."""

    url: str
    """Its address, encoded, with the site's base path (what a result links to)."""
    title: str
    date: str
    """ISO date; the script formats it in the page's language."""
    tags: tuple[str, ...]
    body_key: str
    """The rendered body's key in the HTML store (its hash)."""


def korean_suffixes(text: str) -> list[str]:
    """Every suffix of two or more syllables of each Hangul run of three or more, less the
    run itself; each once, in order of first appearance."""
    seen: dict[str, None] = {}
    for run in _HANGUL_RUN.findall(text):
        for i in range(1, len(run) - 1):
            seen.setdefault(run[i:], None)
    return list(seen)


def text_of(body_html: str) -> str:
    """The visible text of rendered HTML (tags and scripts dropped, entities decoded)."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", body_html))).strip()


def index_key(docs: Iterable[SearchDoc], language: str) -> str:
    return digest(INDEX_FORMAT, language, tuple(docs))


def source_page(doc: SearchDoc, body_html: str, language: str) -> str:
    """The page Pagefind reads for `doc`: metadata (read, not indexed), the title (unless
    the body opens with it), tags, the body without its heading anchors, the suffixes."""
    esc = html.escape
    body_html = _ANCHOR.sub("", body_html)
    text = text_of(body_html)
    tags = " ".join(f"#{t}" for t in doc.tags)
    extra = " ".join(korean_suffixes(" ".join((doc.title, tags, text))))
    title = "" if text.startswith(doc.title) else f"<h1>{esc(doc.title)}</h1>"
    return (
        f'<!doctype html><html lang="{esc(language)}"><head><meta charset="utf-8"></head><body>'
        f'<main data-pagefind-body><div data-pagefind-ignore>'
        f'<span data-pagefind-meta="url:{esc(doc.url)}"></span>'
        f'<span data-pagefind-meta="date:{esc(doc.date)}"></span>'
        f'<span data-pagefind-meta="title">{esc(doc.title)}</span></div>'
        f'{title}<p>{esc(tags)}</p>\n{body_html}\n'
        f'<p data-pagefind-weight="0.2">{MARK} {esc(extra)}</p>'
        f'</main></body></html>'
    )


def pagefind_binary() -> str | None:
    """The Pagefind executable: $TILBOOK_PAGEFIND, else the one the `pagefind` package from
    PyPI installed, else one on PATH."""
    configured = os.environ.get("TILBOOK_PAGEFIND")
    if configured:
        return shutil.which(configured)
    for module in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            found = __import__(module).get_executable()
        except (ImportError, FileNotFoundError, OSError):
            continue
        return str(found)
    return shutil.which("pagefind")


class BuildCancelled(Exception):
    """A newer change made this indexing pointless (`serve`)."""


def build_index(docs: list[SearchDoc], body_html: Callable[[str], str], language: str, *,
                cancel: Any = None) -> dict[str, bytes]:
    """Pagefind's bundle for `docs`: site-relative path (under `pagefind/`) → bytes. When
    `cancel` (a threading.Event) is set meanwhile, Pagefind is stopped and BuildCancelled
    raised."""
    binary = pagefind_binary()
    if binary is None:
        wanted = os.environ.get("TILBOOK_PAGEFIND")
        raise BuildError(f"search needs Pagefind, and {f'TILBOOK_PAGEFIND={wanted!r} is not a program' if wanted else 'it is not installed'}",
                         hint="pip install 'pagefind[extended]' (it ships the binary), or set tilbook.search: false "
                              "in mkdocs.yml to build without search")
    work = Path(tempfile.mkdtemp(prefix="tilbook-search-"))
    try:
        source = work / "source"
        source.mkdir()
        for i, doc in enumerate(docs):
            if cancel is not None and i % 50 == 0 and cancel.is_set():
                raise BuildCancelled()
            (source / f"{i}.html").write_text(source_page(doc, body_html(doc.body_key), language), encoding="utf-8")
        out = work / "out"
        with subprocess.Popen([binary, "--site", str(source), "--output-path", str(out), "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                              errors="replace") as proc:
            while True:
                try:
                    output, _ = proc.communicate(timeout=0.1)
                    break
                except subprocess.TimeoutExpired:
                    if cancel is not None and cancel.is_set():
                        proc.kill()
                        proc.communicate()
                        raise BuildCancelled() from None
        if proc.returncode != 0:
            raise BuildError(f"Pagefind failed to index the site (exit {proc.returncode})", path=binary,
                             detail=output.strip()[-2000:] or None,
                             hint="run the build with a newer `pip install -U 'pagefind[extended]'`, "
                                  "or set tilbook.search: false")
        return {f"{FOLDER}/{p.relative_to(out).as_posix()}": p.read_bytes()
                for p in sorted(out.rglob("*")) if p.is_file() and not _UNUSED.match(p.name)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
