#!/usr/bin/env python3
"""Benchmark `tilbook build` on synthetic journals, with Hugo side by side when installed.

    python bench/build.py                      # N = 2,000 and 10,000, 3 runs each
    python bench/build.py --sizes 2000 --runs 5

For each N it reports medians of: a cold build (no site/, no cache), a no-op rebuild (three a run), a
rebuild after one entry's body was edited (one from the middle of the journal, and the
newest), after one entry's tags changed, after the next day's entry was written, a `tilbook
check` after those, and the peak RSS of the build process (and of its
largest worker, Pagefind included). The body edits add a sentence at the end of an entry:
nothing another page shows changes, so they take the build for bodies alone
(`build._bodies_edited`); a tag changes the entry's card, and goes the whole way. With `--search both` (the default) it does all of that
with the search index and without it: Hugo, the reference, builds no search index. Each build is a fresh `python -m tilbook
build` process, start-up included, as a user runs it. Journals come from
../shared/bench/gen_journal.py (seed 1). Hugo (`apt-get install hugo`) builds the same
entries with a minimal theme as the reference the issue names.

With `--mkdocs PYTHON` (an interpreter that has `mkdocs-material`: it is not a test
dependency, e.g. `python -m venv /tmp/mk && /tmp/mk/bin/pip install mkdocs-material`), the
same entries are also built as a Material blog (blog and tags plugins, the search plugin
when tilbook's search is on, and the Markdown extensions tilbook applies by default: toc
anchors, tables, highlighting, task lists), once per run, side by side: the issue's other
reference. It takes minutes per build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

HUGO_SINGLE = """<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2006-01-02" }} · {{ .ReadingTime }} min</p>{{ range .Params.tags }}<a href="/tags/{{ . | urlize }}/">{{ . }}</a> {{ end }}
{{ .TableOfContents }}{{ .Content }}{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">prev</a>{{ end }}</body></html>"""
HUGO_LIST = """<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>
{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}</body></html>"""


def generate(n: int, root: Path, *, search: bool = True) -> Path:
    start = ["--start", "1995-01-01"] if n > 2000 else []
    subprocess.run([sys.executable, str(SHARED / "bench" / "gen_journal.py"), str(root), "--entries", str(n),
                    "--seed", "1", "--layout", "plain", *start], check=True, capture_output=True)
    (root / "mkdocs.yml").write_text("site_name: bench\nsite_url: https://example.org/\ntheme:\n  language: ko\n"
                                     f"tilbook:\n  timezone: Asia/Seoul\n  search: {str(search).lower()}\n",
                                     encoding="utf-8")
    return root


# An installed tool runs from bytecode caches; PYTHONDONTWRITEBYTECODE (set on some CI and
# sandbox machines) would make every run recompile tilbook, ~30 ms a run that users never pay.
TOOL_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and exit code of a command."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=TOOL_ENV)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return wall, done.returncode


def rss_of_main(root: Path) -> int:
    """Peak RSS (KB) of a full build (`--no-cache`), as GNU time reports it: the largest of
    the build process and the worker processes it waited for."""
    if not shutil.which("time") and not Path("/usr/bin/time").exists():
        return -1
    out = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "tilbook", "build", "--no-cache"],
                         cwd=root, capture_output=True, text=True)
    return int(out.stderr.strip().splitlines()[-1])


def one_entry_edits(entries: list[Path], i: int) -> list[tuple[str, Path, Callable[[str], str]]]:
    """The i-th round of one-entry edits, in order: (kind, file, text → new text). An entry
    from the middle of the journal gets a sentence, then a new tag, then a tag other entries
    have (its count changes); the newest gets a line (where a journal is written: with
    search on, its shard is small); then the next day's entry is written, as `tilbook new`
    and a writer do every day (a copy of the newest, tags and category included)."""
    victim = entries[len(entries) // 2 + i]
    newest = entries[-1]

    def shared_tag(text: str) -> str:
        """A tag of the newest entries that `text` does not have yet."""
        have = set(_tags(text))
        return next(t for e in reversed(entries) for t in _tags(e.read_text(encoding="utf-8")) if t not in have)

    day = dt.date.fromisoformat(newest.stem[:10]) + dt.timedelta(days=i + 1)
    return [
        ("edit body", victim, lambda t: t + f"\n편집 {i}: 한 문장을 더 썼다.\n"),
        ("edit tags", victim, lambda t: t.replace("tags: [", f"tags: [bench{i}, ", 1)),
        ("edit tags (shared)", victim, lambda t: t.replace("tags: [", f"tags: [{shared_tag(t)}, ", 1)),
        ("edit newest", newest, lambda t: t + f"\n오늘 {i}: 한 줄 더.\n"),
        ("new entry", newest.with_name(f"{day.isoformat()}.md"),
         lambda _: newest.read_text(encoding="utf-8").replace(newest.stem[:10], day.isoformat())
                                                      .replace(newest.stem[:10].replace("-", ""), day.strftime("%Y%m%d"))),
    ]


def _tags(text: str) -> list[str]:
    found = re.search(r"^tags: \[(.*)\]$", text, re.M)
    return [t.strip() for t in found[1].split(",") if t.strip()] if found else []


def bench_tilbook(root: Path, runs: int) -> dict[str, float]:
    build = [sys.executable, "-m", "tilbook", "build"]
    results: dict[str, list[float]] = {"cold": [], "noop": [], "edit body": [], "edit tags": [], "edit tags (shared)": [],
                                       "edit newest": [], "new entry": [], "check": []}
    entries = sorted((root / "journal").rglob("*.md"))
    # A build does not trust the recorded stat of a file changed within 2 s of hashing it
    # (build.RACY_NS) and reads it again; journals are not written that close to a build,
    # the generator's are: wait, or the first no-op would re-read all of them.
    time.sleep(2.1)
    for i in range(runs):
        shutil.rmtree(root / "site", ignore_errors=True)
        shutil.rmtree(root / ".tilbook", ignore_errors=True)
        results["cold"].append(timed(build, root)[0])
        # Three no-ops a round, all kept: the first one after a cold build runs while this
        # VM still writes back the 4,000 files the cold build made (0.05 s slower here).
        results["noop"].extend(timed(build, root)[0] for _ in range(3))
        for kind, path, change in one_entry_edits(entries, i):
            path.write_text(change(path.read_text(encoding="utf-8") if path.exists() else ""), encoding="utf-8")
            results[kind].append(timed(build, root)[0])
        results["check"].append(timed([sys.executable, "-m", "tilbook", "check"], root)[0])
    out = {k: statistics.median(v) for k, v in results.items()}
    out["peak RSS MB (full build)"] = rss_of_main(root) / 1024
    return out


def bench_hugo(journal: Path, runs: int) -> float | None:
    hugo = shutil.which("hugo")
    if not hugo:
        return None
    site = Path(tempfile.mkdtemp(prefix="hugo-bench-"))
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (site / "layouts" / "index.html").write_text(HUGO_LIST, encoding="utf-8")
    (site / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "bench"\n[markup.highlight]\nnoClasses = false\n'
                                    '[taxonomies]\ntag = "tags"\ncategory = "categories"\n', encoding="utf-8")
    shutil.copytree(journal, site / "content" / "posts")
    times = []
    for _ in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        times.append(timed([hugo, "--quiet"], site)[0])
    shutil.rmtree(site)
    return statistics.median(times)


MKDOCS_YML = """site_name: bench
site_url: https://example.org/
theme:
  name: material
  language: ko
plugins:
{search}  - blog
  - tags
markdown_extensions:
  - toc:
      permalink: true
  - tables
  - pymdownx.highlight
  - pymdownx.superfences
  - pymdownx.tasklist
"""


def bench_mkdocs(journal: Path, runs: int, python: str, *, search: bool) -> float:
    """Median wall time of `mkdocs build` on the journal as a Material blog (posts in
    docs/blog/posts/, front matter as the generator writes it: date, categories, tags)."""
    site = Path(tempfile.mkdtemp(prefix="mkdocs-bench-"))
    (site / "docs" / "blog").mkdir(parents=True)
    (site / "docs" / "index.md").write_text("# bench\n", encoding="utf-8")
    (site / "docs" / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    (site / "mkdocs.yml").write_text(MKDOCS_YML.format(search="  - search\n" if search else ""), encoding="utf-8")
    shutil.copytree(journal, site / "docs" / "blog" / "posts")
    times = []
    for _ in range(runs):
        shutil.rmtree(site / "site", ignore_errors=True)
        times.append(timed([python, "-m", "mkdocs", "build", "--quiet"], site)[0])
    shutil.rmtree(site)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--mkdocs", metavar="PYTHON", help="an interpreter with mkdocs-material: build the same "
                        "entries as a Material blog too (minutes a build)")
    parser.add_argument("--mkdocs-runs", type=int, default=1)
    parser.add_argument("--search", choices=("both", "on", "off"), default="both",
                        help="build with the search index, without it (like Hugo, which has none), or both")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(REPO))
    print(f"{os.cpu_count()} cores; medians of {args.runs} runs; seconds unless noted")
    for n in args.sizes:
        root = generate(n, Path(tempfile.mkdtemp(prefix=f"tilbook-build-{n}-")))
        hugo = None if args.no_hugo else bench_hugo(root / "journal", args.runs)
        for search in {"both": (False, True), "on": (True,), "off": (False,)}[args.search]:
            generate(n, root, search=search)  # the same entries (seed 1): only the config differs
            ours = bench_tilbook(root, args.runs)
            print(f"\nN = {n}, search index {'on' if search else 'off'}")
            for name, value in ours.items():
                print(f"  {name:<32} {value:8.2f}")
            if hugo is not None:
                print(f"  {'hugo cold (reference, no search)':<32} {hugo:8.2f}")
                print(f"  {'tilbook cold / hugo cold':<32} {ours['cold'] / hugo:8.2f}")
            if args.mkdocs:
                mkdocs = bench_mkdocs(root / "journal", args.mkdocs_runs, args.mkdocs, search=search)
                label = f"mkdocs material blog ({'with' if search else 'no'} search)"
                print(f"  {label:<32} {mkdocs:8.2f}")
                print(f"  {'mkdocs / tilbook cold':<32} {mkdocs / ours['cold']:8.2f}")
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
