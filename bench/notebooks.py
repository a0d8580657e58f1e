#!/usr/bin/env python3
"""Run the notebook templates' default profiles (CPU) and print their metrics against the
learning bars of issue 4.

    python bench/notebooks.py                 # every template that has bars
    python bench/notebooks.py autoencoder --profile default
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tilbook.config import load_config  # noqa: E402
from tilbook.notebooks.render import render_notebook  # noqa: E402
from tilbook.notebooks.spec import find_spec, resolve_parameters  # noqa: E402

METRICS = "application/vnd.tilbook.metrics+json"
# (metric, comparison, bound) that a default run must meet, plus the wall-clock limit.
BARS = {
    "autoencoder": [("improvement_over_pca", ">=", 0.30)],
    "gan": [("classifier_confidence", ">=", 0.80), ("class_coverage", ">=", 9), ("frechet_ratio", "<=", 40)],
    "style_transfer": [("style_loss_reduction", ">=", 0.99), ("content_ratio", "<", 1.0)],
}
WALL_LIMIT_S = 120


def run(name: str, profile: str, limit: float = WALL_LIMIT_S) -> bool:
    from nbclient import NotebookClient

    spec = find_spec(load_config(REPO / "mkdocs.yml"), name)
    values = resolve_parameters(spec, profile=profile)
    nb = render_notebook(spec, values)
    start = time.perf_counter()
    NotebookClient(nb, timeout=int(limit) + 60, kernel_name="python3").execute()
    wall = time.perf_counter() - start
    import nbformat

    kept = Path(tempfile.gettempdir()) / f"tilbook-bench-{name}-{profile}.ipynb"
    nbformat.write(nb, kept)  # executed, outputs and plots included: look at them
    metrics = next(o.data[METRICS] for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "display_data" and METRICS in o.data)
    ok = wall <= limit
    print(f"{name} ({profile}): wall {wall:.1f} s (limit {limit:.0f} s) {'ok' if ok else 'TOO SLOW'}; "
          f"executed notebook: {kept}")
    if "epochs" in values and metrics.get("train_seconds"):
        print(f"  seconds per epoch: {metrics['train_seconds'] / values['epochs']:.2f} ({values['epochs']} epochs)")
    for key, value in metrics.items():
        print(f"  {key}: {value}")
    for key, op, bound in BARS.get(name, []):
        value = metrics[key]
        met = {">=": value >= bound, "<=": value <= bound, "<": value < bound}[op]
        ok = ok and met
        print(f"  bar {key} {op} {bound}: {value} {'met' if met else 'MISSED'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=sorted(BARS))
    parser.add_argument("--profile", default="default")
    parser.add_argument("--limit", type=float, default=WALL_LIMIT_S, help="wall-clock bar per notebook, seconds")
    args = parser.parse_args()
    results = [run(name, args.profile, args.limit) for name in args.names]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
