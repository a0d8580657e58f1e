#!/usr/bin/env python3
"""What `tilbook notebook run` costs over running the same code as a script.

    python bench/run_overhead.py             # 5 runs of each, medians
    python bench/run_overhead.py --runs 9

The code is one trivial torch cell. Compared, each as a fresh process as a user runs it:
`python script.py`, plain nbclient (`NotebookClient(nb).execute()` from `python -c`), and
`tilbook notebook run nb.ipynb -o DIR` (kernel check, probes, record, figures included).
Issue 5's target: tilbook's overhead over the script at most 1.0 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CODE = "import torch\nprint(torch.ones(3).sum().item())\n"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as an installed tool runs


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import nbformat

    work = Path(tempfile.mkdtemp(prefix="tilbook-run-bench-"))
    (work / "script.py").write_text(CODE, encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(CODE))
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / "nb.ipynb")
    (work / "mkdocs.yml").write_text("site_name: bench\n", encoding="utf-8")
    (work / "journal").mkdir()
    commands = {
        "python script.py": [sys.executable, "script.py"],
        "plain nbclient": [sys.executable, "-c", "import nbformat; from nbclient import NotebookClient; "
                           "nb = nbformat.read('nb.ipynb', as_version=4); NotebookClient(nb, kernel_name='python3').execute()"],
        "tilbook notebook run": [sys.executable, "-m", "tilbook", "notebook", "run", "nb.ipynb", "-o", str(work / "out"),
                                 "--refresh"],  # else every run after the first is a freeze hit
    }
    timed(commands["python script.py"], work)  # warm the file cache for torch
    results = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            results[name].append(timed(cmd, work))
    base = statistics.median(results["python script.py"])
    print(f"{os.cpu_count()} cores; medians of {args.runs} runs, seconds")
    for name, times in results.items():
        median = statistics.median(times)
        extra = "" if name == "python script.py" else f"   overhead {median - base:+.2f}"
        print(f"  {name:24s} {median:6.2f}{extra}")


if __name__ == "__main__":
    main()
