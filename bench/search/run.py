#!/usr/bin/env python3
"""Search recall on Korean: tilbook's search beside plain Pagefind, in a real browser.

    python bench/search/run.py              # recall@5 and latency, misses listed
    python bench/search/run.py --keep DIR   # keep the built workspace in DIR
    python bench/search/run.py --delay 50   # each file 50 ms late, as over a phone's network

Builds one site from this repo's example journal and the two Korean corpora in
../shared/corpora, then indexes the same built pages with plain Pagefind (`pagefind --site`,
the entry pages' `data-pagefind-body`, queries passed as typed). Every query in
queries.tsv runs in headless Chromium (Debian's) against Pagefind's own JavaScript API,
twice: as typed with spaces and as typed without them. Prints recall@5 for each, and the
median time per query in the browser.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
SOURCES = {
    "example": REPO / "journal",
    "teddylee777__teddylee777.github.io": CORPORA / "teddylee777__teddylee777.github.io",
    "soohyun-chris-jeon__soohyun-chris-jeon.github.io": CORPORA / "soohyun-chris-jeon__soohyun-chris-jeon.github.io",
}
sys.path.insert(0, str(REPO))

from tilbook.config import load_config  # noqa: E402
from tilbook.journal.load import load_journal  # noqa: E402
from tilbook.site.build import build_site  # noqa: E402
from tilbook.site.collect import base_path, href  # noqa: E402
from tilbook.site.search import pagefind_binary  # noqa: E402

HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
PARTICLES = ("에서", "으로", "이랑", "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도")


def read_queries() -> list[tuple[str, str, str]]:
    rows = []
    for line in (HERE / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            spaced, nospace, expected = line.split("\t")
            rows.append((spaced, nospace, unicodedata.normalize("NFC", expected)))
    return rows


def check_queries(rows: list[tuple[str, str, str]], journal: Path) -> None:
    """Every Korean word of each query, less a particle, is in its expected entry."""
    bad = []
    for spaced, _, expected in rows:
        path = journal / expected
        if not path.is_file():
            bad.append(f"{expected}: no such entry")
            continue
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8", errors="replace"))
        squeezed = re.sub(r"\s+", "", text)
        for word in HANGUL_WORD.findall(spaced):
            stem = next((word[: -len(p)] for p in PARTICLES if word.endswith(p) and len(word) - len(p) >= 2), word)
            if stem not in text and stem not in squeezed:
                bad.append(f"{spaced!r}: {stem!r} is not in {expected}")
    if bad:
        raise SystemExit("queries.tsv asks for what its entries do not say:\n  " + "\n  ".join(bad))


def workspace(root: Path) -> Path:
    journal = root / "journal"
    for name, source in SOURCES.items():
        shutil.copytree(source, journal / name)
    (root / "mkdocs.yml").write_text(
        "site_name: 검색 벤치마크\ndocs_dir: journal\nsite_dir: site\ntheme:\n  name: tilbook\n  language: ko\n"
        f"tilbook:\n  timezone: Asia/Seoul\n  notebooks_dir: {REPO / 'notebooks_src'}\n  freeze_dir: {REPO / '_freeze'}\n",
        encoding="utf-8")
    return journal


def entry_urls(config) -> dict[str, str]:
    """Entry path under journal/ → its URL path (decoded), as the build publishes it."""
    journal = load_journal(config)
    base = base_path(config)
    return {e.rel_path.as_posix(): unquote(href(base, e.url(config.tilbook.permalink))) for e in journal.entries}


SEARCH_JS = """async ([mode, queries]) => {
  let plain = null;
  if (mode === "plain") { plain = await import("/pagefind-plain/pagefind.js"); await plain.init(); }
  const out = [];
  for (const q of queries) {
    const t0 = performance.now();
    let urls;
    if (mode === "plain") {
      const res = await plain.search(q);
      urls = await Promise.all(res.results.slice(0, 5).map(async (r) => (await r.data()).url));
    } else {
      urls = (await window.tilbookSearch(q, 5)).map((r) => r.url);
    }
    out.push({ q, urls, ms: performance.now() - t0 });
  }
  return out;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--chromium", default=os.environ.get("TILBOOK_CHROMIUM") or shutil.which("chromium"))
    parser.add_argument("--shard-size", type=int, help="entries per Pagefind bundle (default: tilbook's)")
    parser.add_argument("--delay", type=float, default=0, help="milliseconds each file takes to come (a network)")
    args = parser.parse_args()
    if args.shard_size:
        import tilbook.site.search

        tilbook.site.search.SHARD_SIZE = args.shard_size
    rows = read_queries()
    root = args.keep or Path(tempfile.mkdtemp(prefix="tilbook-search-bench-"))
    if args.keep and root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    journal = workspace(root)
    check_queries(rows, journal)
    config = load_config(root / "mkdocs.yml")
    result = build_site(config, execute=False)
    shards = json.loads((config.site_dir / "pagefind/tilbook.json").read_text(encoding="utf-8"))["shards"]
    print(f"site: {result.entries} entries; search index ({len(shards)} shards) built in "
          f"{result.timings.get('search', 0):.2f}s")
    urls = entry_urls(config)
    site = config.site_dir
    done = subprocess.run([pagefind_binary(), "--site", str(site), "--output-subdir", "pagefind-plain", "--quiet"],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)

    from playwright.sync_api import sync_playwright

    delay = args.delay / 1000

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if delay:
                time.sleep(delay)  # a network's round trip, before each answer
            super().do_GET()

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    found: dict[tuple[str, str], dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for mode in ("plain", "ours"):
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            queries = [q for spaced, nospace, _ in rows for q in dict.fromkeys((spaced, nospace))]
            for item in page.evaluate(SEARCH_JS, [mode, queries]):
                found[(mode, item["q"])] = item
            page.close()
        browser.close()
    server.shutdown()

    print(f"{len(rows)} queries (recall@5: the expected entry among the first five results)")
    misses = []
    for mode in ("plain", "ours"):
        for column, label in ((0, "with spaces"), (1, "without spaces")):
            hits = 0
            for row in rows:
                query, expected = row[column], urls[row[2]]
                got = [unquote(urlsplit(u).path) for u in found[(mode, query)]["urls"]]
                if expected in got:
                    hits += 1
                elif mode == "ours":
                    misses.append(f"  {label}: {query!r} → expected {row[2]}")
            name = "plain Pagefind" if mode == "plain" else "tilbook       "
            print(f"  {name} {label:15s} recall@5 {hits / len(rows):.2f}  ({hits}/{len(rows)})")
    for mode in ("plain", "ours"):
        times = [v["ms"] for (m, _), v in found.items() if m == mode]
        print(f"  latency per query in the browser, {mode}: median {statistics.median(times):.1f} ms, "
              f"max {max(times):.1f} ms, first (loading the index) {times[0]:.1f} ms")
    if misses:
        print("tilbook's misses:\n" + "\n".join(misses))
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
