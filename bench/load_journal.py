#!/usr/bin/env python3
"""Time `load_journal` on the real corpora and on synthetic journals.

    python bench/load_journal.py                 # corpora + 2,000 and 10,000 synthetic entries
    python bench/load_journal.py --sizes 500 --repeat 5 --workers 1 2

Prints the median wall time of --repeat runs per (journal, workers) and entries per second.
Synthetic journals come from ../shared/bench/gen_journal.py (seed 1) into a temp folder.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))

from tilbook.config import load_config  # noqa: E402
from tilbook.journal import load_journal  # noqa: E402


def workspace(root: Path, docs: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(f"site_name: bench\ndocs_dir: {docs}\ntilbook:\n  timezone: Asia/Seoul\n", encoding="utf-8")
    return root / "mkdocs.yml"


def time_load(config_path: Path, workers: int, repeat: int) -> tuple[float, int, int]:
    config = load_config(config_path)
    times, count, problems = [], 0, 0
    for _ in range(repeat):
        start = time.perf_counter()
        journal = load_journal(config, workers=workers)
        times.append(time.perf_counter() - start)
        count, problems = len(journal.entries), len(journal.errors)
    return statistics.median(times), count, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000])
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tilbook-bench-"))
    cases: list[tuple[str, Path]] = []
    corpora = SHARED / "corpora"
    if corpora.is_dir():
        roots = [workspace(tmp / p.name, p) for p in sorted(corpora.iterdir()) if p.is_dir()]
        cases.append(("corpora (4 folders)", roots))  # type: ignore[arg-type]
    for n in args.sizes:
        out = tmp / f"gen{n}"
        start = ["--start", "1995-01-01"] if n > 2000 else []
        subprocess.run([sys.executable, str(SHARED / "bench" / "gen_journal.py"), str(out), "--entries", str(n),
                        "--seed", "1", "--layout", "plain", *start], check=True, capture_output=True)
        cases.append((f"synthetic {n}", [workspace(out, out / "journal")]))  # type: ignore[arg-type]
    print(f"{'journal':<22} {'workers':>7} {'entries':>8} {'errors':>6} {'median s':>9} {'entries/s':>10}")
    for label, roots in cases:
        for workers in args.workers:
            total, count, errors = 0.0, 0, 0
            for root in roots:  # type: ignore[attr-defined]
                t, c, e = time_load(root, workers, args.repeat)
                total, count, errors = total + t, count + c, errors + e
            print(f"{label:<22} {workers:>7} {count:>8} {errors:>6} {total:>9.2f} {count / total:>10.0f}")


if __name__ == "__main__":
    main()
