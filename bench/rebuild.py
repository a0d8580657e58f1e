#!/usr/bin/env python3
"""One-entry rebuilds in a warm process, as `tilbook serve` does them.

    python bench/rebuild.py                    # N = 2,000, 9 edits of each kind
    python bench/rebuild.py --entries 10000 --edits 5

`bench/build.py` times fresh `tilbook build` processes: each pays for starting Python,
importing the parser and the theme engine and loading the caches (most of its one-entry
rebuild). `serve` pays that once and keeps its caches in memory; this script times what
is left, through the same call serve makes (`build_site` with a `CacheFiles(keep=True)`,
drafts on, no search indexing while the writer types), after one warm-up build and the
same tidying serve does between builds. It reports the median of each kind of edit (an
entry's body in the middle of the journal, its tags, the newest entry's body) and the
median of each build phase.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=9)
    args = parser.parse_args()

    from bench.build import generate, one_entry_edits  # the journals and edits bench/build.py times
    from tilbook.config import load_config
    from tilbook.site.build import CacheFiles, build_site
    from tilbook.site.serve import preview_config

    root = generate(args.entries, Path(tempfile.mkdtemp(prefix=f"tilbook-rebuild-{args.entries}-")))
    config = preview_config(load_config(root))
    caches = CacheFiles(root / ".tilbook" / "serve" / "cache", keep=True)

    def build() -> tuple[float, dict[str, float], int]:
        started = time.perf_counter()
        result = build_site(config, drafts=True, execute=False, search_index=False, caches=caches)
        elapsed = time.perf_counter() - started
        gc.unfreeze()  # serve's tidying between builds (Builder._tidy)
        gc.collect()
        gc.freeze()
        return elapsed, result.timings, result.written

    first, _, _ = build()
    print(f"N = {args.entries}: first build {first:.2f} s (cold, in process)")
    entries = sorted((root / "journal").rglob("*.md"))
    kinds: dict[str, list[float]] = {"edit body": [], "edit tags": [], "edit tags (shared)": [], "edit newest": [],
                                     "new entry": []}
    phases: dict[str, list[float]] = {}
    written: dict[str, list[int]] = {k: [] for k in kinds}
    for i in range(args.edits):
        for kind, path, change in one_entry_edits(entries, i):
            path.write_text(change(path.read_text(encoding="utf-8") if path.exists() else ""), encoding="utf-8")
            elapsed, timings, count = build()
            kinds[kind].append(elapsed)
            written[kind].append(count)
            for name, value in timings.items():
                phases.setdefault(name, []).append(value)
    for kind, values in kinds.items():
        print(f"  {kind:<18} median {statistics.median(values):.3f} s  (min {min(values):.3f}, max {max(values):.3f}; "
              f"{statistics.median(written[kind]):.0f} files written)")
    print("  phases (median over all edits): " + ", ".join(
        f"{name} {statistics.median(values) * 1000:.0f} ms" for name, values in phases.items()))


if __name__ == "__main__":
    main()
