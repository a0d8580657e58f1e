#!/usr/bin/env python3
"""Same-minute A/B of two versions of tilbook on the same journal.

    python bench/ab.py HEAD~3                       # HEAD~3 against the working tree, warm body edits
    python bench/ab.py HEAD~3 HEAD --scenario noop --rounds 10
    python bench/ab.py v0.1 --scenario warm-tags --entries 2000
    python bench/ab.py HEAD --scenario cold --search --rounds 3   # with the search index

This machine's timings drift by 15-50% from one minute to the next, so two numbers taken
apart compare badly. A cold build in the second copy of the journal was slower whichever
version built it: HEAD against itself, 6 rounds, medians 4.65 and 5.68 s. So for `cold` the
copies take turns (the version that runs first in a round builds in the first copy): HEAD
against itself then gave 4.75 and 5.12 s, minimums 4.39 and 4.42. Compare minimums too. Here each round runs both versions, one after the other, in an order
that alternates, and the medians are over all rounds. Each version is exported (`git archive`;
the working tree is copied) and imported from its own folder, the editable install set
aside; each has its own copy of the journal, so neither reads the other's caches.

Scenarios:
- `warm-body`, `warm-tags`, `warm-newest`: one process per version and round, as `serve`
  keeps one: a first build, then five one-entry edits of that kind (`bench.build.one_entry_edits`),
  each timed; also the median of the collect phase.
- `noop`: a fresh `tilbook build` process on an unchanged journal (start-up included).
- `edit`: a fresh `tilbook build` process after an entry's body changed; `edit-tags`,
  `edit-shared-tag`, `new-entry`: the same after it got a new tag, a tag other entries have,
  or after the next day's entry was written (the other edits `bench.build.one_entry_edits` makes).
- `cold`: a fresh `tilbook build` process with no site/ and no cache (start-up included).
- `check`, `todo`: a fresh `tilbook check` or `tilbook todo` process after a build (every
  entry's caches there).
- `notebook-new`: a fresh `tilbook notebook new autoencoder` process (start-up, generating
  and validating one notebook), in the example workspace.

`--journal example` runs the scenario on the repository's example workspace (journal/,
notebooks_src/, _freeze/, mkdocs.yml) instead of a generated journal: its first build checks
three frozen notebooks.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Imports tilbook from TREE only: the editable install's finder would otherwise win.
_PRELUDE = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in type(f).__module__ and 'editable' not in getattr(f, '__module__', '')]
sys.path.insert(0, {tree!r})
import tilbook
assert tilbook.__file__.startswith({tree!r}), tilbook.__file__
"""

_WARM = """
import gc, json, pathlib, time
from tilbook.config import load_config
from tilbook.site.build import CacheFiles, build_site
from tilbook.site.serve import preview_config
root = pathlib.Path({root!r})
config = preview_config(load_config(root))
caches = CacheFiles(root / ".tilbook" / "serve" / "cache", keep=True)
def build():
    started = time.perf_counter()
    result = build_site(config, drafts=True, execute=False, search_index=False, caches=caches)
    elapsed = time.perf_counter() - started
    gc.unfreeze(); gc.collect(); gc.freeze()  # serve's tidying between builds
    return elapsed, result.timings.get("collect", 0.0)
build()
caches.flush()  # the next process starts from these (its first build is not timed)
sys.path.append({repo!r})  # after the tree: bench/, never the repo's tilbook
from bench.build import one_entry_edits  # the edits bench/build.py and bench/rebuild.py time
entries = sorted((root / "journal").rglob("*.md"))
times, collect = [], []
for i in range({edits}):
    _, victim, change = next(e for e in one_entry_edits(entries, {round} * 5 + i) if e[0] == "edit " + {kind!r})
    victim.write_text(change(victim.read_text(encoding="utf-8")), encoding="utf-8")
    elapsed, c = build()
    times.append(elapsed)
    collect.append(c)
print(json.dumps([times, collect]))
"""

_FRESH_EDITS = {"edit": "edit body", "edit-tags": "edit tags", "edit-shared-tag": "edit tags (shared)",
                "new-entry": "new entry"}

_CLI = "from tilbook.cli import run\nsys.argv[0] = 'tilbook'\nsys.exit(run())\n"

# What users run: compiled bytecode kept (PYTHONDONTWRITEBYTECODE would recompile every run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def export(rev: str | None, into: Path) -> Path:
    """tilbook's package at `rev` (None: the working tree) under `into`."""
    into.mkdir(parents=True)
    if rev is None:
        shutil.copytree(REPO / "tilbook", into / "tilbook", ignore=shutil.ignore_patterns("__pycache__"))
    else:
        archive = subprocess.run(["git", "archive", rev, "tilbook"], cwd=REPO, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run_child(code: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"a run failed in {cwd}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", help="a git revision")
    parser.add_argument("new", nargs="?", help="a git revision (default: the working tree)")
    parser.add_argument("--scenario", default="warm-body",
                        choices=["warm-body", "warm-tags", "warm-newest", "noop", "edit", "edit-tags", "edit-shared-tag",
                                 "new-entry", "cold", "check", "todo", "notebook-new"])
    parser.add_argument("--journal", choices=["bench", "example"], default="bench",
                        help="a generated journal of --entries entries, or the repository's example workspace")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--search", action="store_true", help="the generated journal builds its search index")
    args = parser.parse_args()

    from bench.build import generate, one_entry_edits

    scratch = Path(tempfile.mkdtemp(prefix="tilbook-ab-"))
    try:
        versions = {"old": (args.old, export(args.old, scratch / "old")),
                    "new": (args.new or "working tree", export(args.new, scratch / "new"))}
        example = args.journal == "example" or args.scenario == "notebook-new"
        if example:
            journal = scratch / "journal"
            for name in ("journal", "notebooks_src", "_freeze"):
                shutil.copytree(REPO / name, journal / name)
            shutil.copyfile(REPO / "mkdocs.yml", journal / "mkdocs.yml")
        else:
            journal = generate(args.entries, scratch / "journal", search=args.search)
        roots = {}
        for name in versions:
            roots[name] = scratch / f"ws-{name}"
            shutil.copytree(journal, roots[name])
        time.sleep(2.1)  # files written within 2 s of a build are hashed again (build.RACY_NS)
        for name, (_, tree) in versions.items():  # caches and bytecode, before timing
            prelude = _PRELUDE.format(tree=str(tree))
            if args.scenario.startswith("warm-"):
                run_child(prelude + _WARM.format(root=str(roots[name]), repo=str(REPO), kind="", round=0, edits=0), roots[name])
            else:
                run_child(prelude + _CLI, roots[name], "build")
        times: dict[str, list[float]] = {name: [] for name in versions}
        collect: dict[str, list[float]] = {name: [] for name in versions}
        for r in range(args.rounds):
            for place, name in enumerate(("old", "new") if r % 2 else ("new", "old")):
                tree, root = versions[name][1], roots[name]
                if args.scenario == "cold":  # (nothing kept: each version builds in each copy in turn)
                    root = roots[("old", "new")[place]]
                prelude = _PRELUDE.format(tree=str(tree))
                if args.scenario.startswith("warm-"):
                    code = prelude + _WARM.format(root=str(root), repo=str(REPO), kind=args.scenario[5:], round=r, edits=5)
                    got, phases = json.loads(run_child(code, root).stdout.strip().splitlines()[-1])
                    times[name].extend(got)
                    collect[name].extend(phases)
                    continue
                kind = _FRESH_EDITS.get(args.scenario)
                if kind:
                    _, victim, change = next(e for e in one_entry_edits(sorted((root / "journal").rglob("*.md")), r)
                                             if e[0] == kind)
                    victim.write_text(change(victim.read_text(encoding="utf-8") if victim.exists() else ""),
                                      encoding="utf-8")
                if args.scenario == "cold":
                    shutil.rmtree(root / "site", ignore_errors=True)
                    shutil.rmtree(root / ".tilbook", ignore_errors=True)
                command = {"notebook-new": ["notebook", "new", "autoencoder", "-o", "ab.ipynb", "--force"],
                           "check": ["check"], "todo": ["todo"]}.get(args.scenario, ["build"])
                started = time.perf_counter()
                run_child(prelude + _CLI, root, *command)
                times[name].append(time.perf_counter() - started)
        where = "the example workspace" if example else f"N = {args.entries}"
        print(f"{args.scenario}, {where}, {args.rounds} rounds, alternating; seconds")
        for name, (label, _) in versions.items():
            line = f"  {name} ({label}): median {statistics.median(times[name]):.3f}, min {min(times[name]):.3f}"
            if collect[name]:
                line += f"; collect median {statistics.median(collect[name]) * 1000:.0f} ms"
            print(line)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
