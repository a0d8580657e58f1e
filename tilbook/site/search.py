"""Search: a Pagefind index of the entries, made to find Korean the way people type it.

Pagefind splits Korean on spaces only, so `토치` (inside `파이토치를`) is not found and a
query typed without the text's spaces (`딥러닝서버`) misses. tilbook keeps Pagefind (its
index format, its loader, its ranking) and changes what it indexes and how it is asked:

* **Index side** (here). Pagefind matches every query word as a *prefix* of the indexed
  words, which already finds stems without their particles (`파이토치` → `파이토치를`).
  Beside each entry's text tilbook indexes, at a low weight, every suffix of two or more
  syllables of the stems of its longer Hangul words (`이토치`, `토치` for `파이토치를`,
  whose particle `를` is stripped first): a prefix of one of them is any part of the stem,
  so parts of compounds are found too.
* **Query side** (`assets/search.js`). Particles are stripped from the query's Korean
  words as from the index's (`PARTICLES`, which the script reads from the shard list),
  scripts are split (`파이토치DataLoader`), and a long Korean word that finds too
  little is searched again by its syllable pairs, ranking entries by how many pairs they
  hold: that is how `딥러닝서버` finds `딥러닝 서버`. The excerpt is cut from the visible
  text, never from the added suffixes.

The index is rebuilt only when what it holds changed (its key is over every document).
Pagefind reads one small HTML page per entry written for it (not the site's pages): the
title, tags, the rendered body and the suffixes, after a marker the script cuts at.
"""

from __future__ import annotations

import html
import operator
import os
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from tilbook.errors import BuildError
from tilbook.site.keys import digest

INDEX_FORMAT = 4  # 4: suffixes of stems, particles stripped
FOLDER = "pagefind"
LIST_FILE = f"{FOLDER}/tilbook.json"
SHARD_SIZE = 125
MAX_SHARDS = 16
"""Entries per Pagefind bundle at most (until there are MAX_SHARDS of them), and at most this
many bundles of older entries ("recent" aside). Smaller shards re-index less after an edit
and keep each Pagefind small (its memory grows with what it reads, see `pagefind_memory`);
fewer search a little faster. From 8 shards of 250 to 16 of 125 at 2,000 entries: the
build's peak memory 238 → 133 MB and a body edit's rebuild 1.76 → 1.11 s (bench/build.py,
bench/ab.py --search); a query's median 29 → 34 ms and the first one, which loads the
bundles, 0.40 → 0.48 s here, 0.90 → 1.08 s with each file 50 ms late (bench/search/run.py
--delay 50)."""
# Between the visible text and the added suffixes: the script cuts excerpts before it.
MARK = "\u2042"
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]{3,}")
# Pagefind's own search UIs: tilbook has its box (assets/search.js), so they are not published.
_UNUSED = re.compile(r"pagefind-(ui|component-ui|modular-ui|highlight)\.")
# A formula as bodies mark it (site/markdown.py): indexed and excerpted as its TeX, without
# the \( \) or \[ \] that KaTeX reads: "생성자 G와", not "생성자 \(G\)와".
_MATH = re.compile(r'<span class="math inline">\\\((.*?)\\\)</span>|<div class="math block">\\\[(.*?)\\\]</div>', re.S)
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


PARTICLES = (
    "에서부터", "으로부터", "에서는", "에서도", "으로는", "으로도", "이라는", "이라고", "에게서",
    "입니다", "했는데", "하려면", "부터는", "까지는", "처럼", "보다", "부터", "까지", "에서",
    "에게", "한테", "으로", "이랑", "하고", "이나", "이란", "이다", "에는", "에도", "로는",
    "만큼", "마다", "조차", "밖에", "이며", "이고", "했다", "하는", "하기", "라는", "께서",
    "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만", "랑", "나", "란",
)
"""Particles and endings stripped from a Korean word's end, longest first, on both sides:
suffixes are made of the stems of the text's words, and the script strips a query's words
(it reads this list from `pagefind/tilbook.json`). Stripping one too many only widens a
search a little: Pagefind matches words by prefix, and the word as written is indexed too."""


# PARTICLES by length, longest first: the first of the list a word ends with is the longest
_BY_LENGTH = tuple((n, frozenset(p for p in PARTICLES if len(p) == n))
                   for n in sorted({len(p) for p in PARTICLES}, reverse=True))


def strip_particle(word: str) -> str:
    """`word` less the first of PARTICLES it ends with, if two syllables or more are left.
    (By length and set, not down the list: 60 `endswith` a word were 3 s of 2,000 entries.)"""
    size = len(word)
    for n, endings in _BY_LENGTH:
        if size - n >= 2 and word[-n:] in endings:
            return word[:-n]
    return word


def korean_suffixes(text: str) -> list[str]:
    """Every suffix of two or more syllables of the stem (`strip_particle`) of each Hangul
    run of three or more, less the stem itself; each once, in order of first appearance.

    Stems, not the words as written: a suffix that holds a particle (`치를` of `파이토치를`)
    finds nothing a query would ask for, since queries are stripped too. Those were 57% of
    the suffixes' bytes in the Korean corpora, and Pagefind's time and memory grow with what
    it reads (a shard of 245 synthetic entries: 1.55 → 1.25 s, 255 → 212 MB; recall in
    bench/search/run.py unchanged)."""
    seen: dict[str, None] = {}
    for run in _HANGUL_RUN.findall(text):
        seen.update(_stem_suffixes(run))
    return list(seen)


@lru_cache(maxsize=1 << 16)
def _stem_suffixes(run: str) -> dict[str, None]:
    """The suffixes `korean_suffixes` adds for one Hangul run, as dict keys (kept, and
    never changed: a journal repeats its words, and this was most of writing Pagefind's
    pages)."""
    stem = strip_particle(run)
    return dict.fromkeys(stem[i:] for i in range(1, len(stem) - 1))


def text_of(body_html: str) -> str:
    """The visible text of rendered HTML (tags and scripts dropped, entities decoded), its
    runs of white space made one space. (`str.split` does that 6 times as fast as `\\s+`.)"""
    return " ".join(html.unescape(_TAG.sub(" ", body_html)).split())


def index_key(docs: Iterable[SearchDoc], language: str) -> str:
    # plain tuples: the repr of 2,000 dataclasses was a tenth of a warm rebuild
    return digest(INDEX_FORMAT, language, tuple((d.url, d.title, d.date, d.tags, d.body_key) for d in docs))


# The last key of each shard, with the very documents it was made from: a warm rebuild
# (serve) hands over the same SearchDoc objects for every entry it did not change.
_SHARD_KEYS: dict[str, tuple[tuple[SearchDoc, ...], str, str]] = {}


def shard_key(name: str, docs: list[SearchDoc], language: str) -> str:
    """`index_key` of a shard's documents, remembered while they are the same objects."""
    group = tuple(docs)
    last = _SHARD_KEYS.get(name)
    if last is not None and last[1] == language and len(last[0]) == len(group) and all(map(operator.is_, last[0], group)):
        return last[2]
    key = index_key(group, language)
    _SHARD_KEYS[name] = (group, language, key)
    return key


def source_page(doc: SearchDoc, body_html: str, language: str) -> str:
    """The page Pagefind reads for `doc`: metadata (read, not indexed), the title (unless
    the body opens with it), tags, the body without its heading anchors, the suffixes."""
    from tilbook.site.markdown import strip_permalinks  # (not at the top: `doctor` imports this module)

    esc = html.escape
    body_html = _MATH.sub(lambda m: m[1] if m[1] is not None else f" {m[2].strip()} ", strip_permalinks(body_html))
    text = text_of(body_html)
    tags = " ".join(f"#{t}" for t in doc.tags)
    extra = " ".join(korean_suffixes(" ".join((doc.title, tags, text))))
    title = "" if text.startswith(doc.title) else f"<h1>{esc(doc.title)}</h1>"
    # The body goes in as text: Pagefind parses HTML markup (Pygments' spans above all)
    # for longer than it indexes the words.
    return (
        f'<!doctype html><html lang="{esc(language)}"><head><meta charset="utf-8"></head><body>'
        f'<main data-pagefind-body><div data-pagefind-ignore>'
        f'<span data-pagefind-meta="url:{esc(doc.url)}"></span>'
        f'<span data-pagefind-meta="date:{esc(doc.date)}"></span>'
        f'<span data-pagefind-meta="title">{esc(doc.title)}</span></div>'
        f'{title}<p>{esc(tags)}</p>\n<p>{esc(text)}</p>\n'
        f'<p data-pagefind-weight="0.2">{MARK} {esc(extra)}</p>'
        f'</main></body></html>'
    )


def pagefind_binary() -> str | None:
    """The Pagefind executable: $TILBOOK_PAGEFIND, else the one the `pagefind` package from
    PyPI installed, else one on PATH."""
    import shutil

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


@lru_cache(maxsize=8)
def pagefind_version(binary: str) -> str:
    """What `binary --version` says ("" when it says nothing), once a process: part of what
    the index's shards are kept by. Bundles of two Pagefinds are never merged into one index
    (the first bundle's code reads them all), so a new Pagefind indexes every shard again."""
    import subprocess

    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


class BuildCancelled(Exception):
    """A newer change made this indexing pointless (`serve`)."""


def shard_docs(docs: Iterable[SearchDoc]) -> dict[str, list[SearchDoc]]:
    """The documents in shards, each a Pagefind bundle of its own: shards are indexed in
    parallel, and an edit re-indexes only its own. The newest month's entries (where a
    journal grows and is edited) are one small shard, "recent"; the others are spread over
    `shard_count` shards by month, in turn (a month's entries in the shard of its number
    modulo the count), so they stay put as entries come and go, and a journal written on
    most days fills them evenly. A new month moves the last one's entries into one shard,
    which alone is indexed again (spread by address, they went into every shard: the
    first entry of a month took 8.7 s at 2,000 entries, against 0.8 s for another). The
    site's pages (no date) are a shard of their own, "pages"."""
    docs = list(docs)
    pages = [d for d in docs if not d.date]  # the site's pages (an About page): a shard of their own
    docs = [d for d in docs if d.date]
    newest = max((d.date[:7] for d in docs), default="")
    recent = [d for d in docs if d.date[:7] == newest]
    older = [d for d in docs if d.date[:7] != newest]
    count = shard_count(len(older))
    groups: dict[str, list[SearchDoc]] = {f"s{i}": [] for i in range(count)}
    for doc in older:
        n = (int(doc.date[:4]) * 12 + int(doc.date[5:7])) % count
        groups[f"s{n}"].append(doc)
    groups["recent"] = recent
    groups["pages"] = pages
    return {name: group for name, group in groups.items() if group}


def shard_count(entries: int) -> int:
    """How many shards `entries` older entries are spread over: a power of two (1, 2, 4,
    8, 16), the smallest that keeps each to SHARD_SIZE, at most MAX_SHARDS.

    A power of two, because the shards are indexed side by side, one Pagefind per core: 7
    equal shards on 2 cores took 4 rounds with one core idle in the last, 8 smaller ones 4
    full rounds (2,000 entries: 11.0 s → 10.2 s, and the largest Pagefind 312 → 269 MB),
    and they divide as evenly over 4 or 8 cores. And every entry moves to another shard
    (the whole index is built again) only when the count changes: 4 times in a journal's
    life, not every SHARD_SIZE entries."""
    need = max(1, -(-entries // SHARD_SIZE))
    count = 1
    while count < need and count < MAX_SHARDS:
        count *= 2
    return count


def pagefind_memory(source_bytes: int) -> int:
    """The peak memory (bytes) of a Pagefind indexing pages of `source_bytes` in all: about
    75 times their size, for invented text and real posts alike (measured with GNU time on
    Pagefind 1.5: 250 synthetic entries, 3.6 MB → 258 MB; 212 posts of the Korean corpora,
    1.7 MB → 131 MB; 100 of them, 0.9 MB → 69 MB), over a 16 MB floor."""
    return (16 << 20) + 80 * source_bytes


def memory_budget() -> int | None:
    """Bytes the Pagefinds of one build may hold together: 60% of the memory available as
    it starts (Linux's MemAvailable), or None where that cannot be read. A 10,000-entry
    journal's shards take about a gigabyte each, and 8 cores would index 8 at once."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 * 6 // 10
    except (OSError, ValueError, IndexError):
        pass
    return None


def shard_list(names: Iterable[str]) -> bytes:
    """`pagefind/tilbook.json`: the shards the search script merges, and the particles it
    strips from a query's words (the index's own, so the two never disagree)."""
    import json

    return json.dumps({"shards": sorted(names), "particles": PARTICLES}, ensure_ascii=False).encode()


def _bundle_files(out: Path, name: str) -> dict[str, bytes]:
    """The files of shard `name`'s bundle in Pagefind's output folder `out`, as the site
    publishes them (`pagefind/NAME/...`), Pagefind's own search UIs left out."""
    return {f"{FOLDER}/{name}/{path.relative_to(out).as_posix()}": path.read_bytes()
            for path in sorted(out.rglob("*")) if path.is_file() and not _UNUSED.match(path.name)}


def build_shards(groups: dict[str, list[SearchDoc]], body_html: Callable[[str], str], language: str, *,
                 cancel: Any = None, progress: Callable[[int, int], None] | None = None,
                 on_shard: Callable[[str, dict[str, bytes]], None] | None = None) -> dict[str, bytes]:
    """Pagefind's bundle for each shard (`pagefind/NAME/...` → bytes), as many Pagefind
    processes at once as there are cores and as fit in the memory available (see
    `pagefind_memory`; one always runs); the next shard's pages are written while the
    others index. When `cancel` (a threading.Event) is set meanwhile, every Pagefind is
    stopped and BuildCancelled raised. `progress(done, total)`: entries indexed, at the
    start and as each shard is done. `on_shard(name, files)` as each shard is done, with
    its files: what is done stays done if a later shard is cancelled."""
    import shutil
    import subprocess
    import tempfile

    binary = pagefind_binary()
    if binary is None:
        wanted = os.environ.get("TILBOOK_PAGEFIND")
        raise BuildError(f"search needs Pagefind, and {f'TILBOOK_PAGEFIND={wanted!r} is not a program' if wanted else 'it is not installed'}",
                         hint="pip install 'pagefind[extended]' (it ships the binary), or set tilbook.search: false "
                              "in mkdocs.yml to build without search")
    work = Path(tempfile.mkdtemp(prefix="tilbook-search-"))
    running: dict[str, subprocess.Popen[str]] = {}
    outputs: dict[str, str] = {}
    found: dict[str, bytes] = {}
    parallel = max(1, min(os.cpu_count() or 1, 8))
    budget = memory_budget()
    needs: dict[str, int] = {}  # each running Pagefind's expected peak memory
    total = sum(map(len, groups.values()))
    indexed = 0
    if progress:
        progress(0, total)

    def reap(block: bool, need: int = 0) -> None:
        """Collect the Pagefinds that are done; with `block`, wait for all of them, else
        until one more (expecting `need` bytes) may start."""
        nonlocal indexed
        while running:
            for name, proc in list(running.items()):
                if proc.poll() is not None:
                    outputs[name] = proc.stdout.read() if proc.stdout else ""
                    proc.stdout and proc.stdout.close()
                    del running[name]
                    indexed += len(groups[name])
                    if proc.returncode == 0:
                        files = _bundle_files(work / name / "out", name)
                        found.update(files)
                        if on_shard:
                            on_shard(name, files)
                        if progress:
                            progress(indexed, total)
                    if proc.returncode != 0:
                        raise BuildError(f"Pagefind failed to index the site (exit {proc.returncode})", path=binary,
                                         detail=outputs[name].strip()[-2000:] or None,
                                         hint="run the build with a newer `pip install -U 'pagefind[extended]'`, "
                                              "or set tilbook.search: false")
            if cancel is not None and cancel.is_set():
                raise BuildCancelled()
            if not block and len(running) < parallel and (budget is None or sum(needs[n] for n in running) + need <= budget):
                return
            time.sleep(0.02)

    try:
        # The biggest shards first: the small "recent" one fills a core at the end.
        for name, docs in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
            source = work / name / "source"
            source.mkdir(parents=True)
            size = 0
            for i, doc in enumerate(docs):
                if cancel is not None and i % 50 == 0 and cancel.is_set():
                    raise BuildCancelled()
                data = source_page(doc, body_html(doc.body_key), language).encode("utf-8")
                (source / f"{i}.html").write_bytes(data)
                size += len(data)
            needs[name] = pagefind_memory(size)
            reap(block=False, need=needs[name])
            running[name] = subprocess.Popen([binary, "--site", str(source), "--output-path", str(work / name / "out"),
                                              "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                             encoding="utf-8", errors="replace")
        reap(block=True)
        return dict(sorted(found.items()))
    finally:
        for proc in running.values():
            proc.kill()
            proc.communicate()
        shutil.rmtree(work, ignore_errors=True)
