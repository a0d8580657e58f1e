#!/usr/bin/env python3
"""Render time of bodies a writer can produce by accident: a training log pasted without a
fence, deep nesting, runs of brackets or emphasis, huge tables, HTML left open.

    python bench/pathological.py              # each body once, its size and seconds
    python bench/pathological.py --scale 4    # 4× longer bodies: linear costs grow 4×

Each body goes through the build's renderer (every extension on). A time that grows much
faster than the size (compare --scale 1 and 2) is a quadratic path to fix or work around:
mdit-py-plugins' `http://` autolink rule took 6.6 s for the 20,000-line log
(markdown._only_after_a_scheme).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def bodies(scale: int) -> dict[str, str]:
    n = 10_000 * scale
    return {
        "log pasted without a fence": "2026-11-01 12:00:00 INFO: step 1 loss=0.123 <tensor> [1,2,3] *x* _y_\n" * (n * 2),
        "nested block quotes": ">" * (n // 2) + " x\n",
        "open brackets": "[" * (n * 2) + "x",
        "emphasis markers": "*a " * (n * 2),
        "backtick runs": "`a ``b ```c " * (n // 2),
        "nested list": "".join("  " * i + "- x\n" for i in range(n // 5)),
        "HTML blocks left open": "<div>\n" * (n * 2),
        "inline HTML left open": "a <b> " * (n * 2),
        "dollar signs": "$a$ " * (n * 2) + "$$" * (n // 2),
        "links": "[a](b) " * (n * 2),
        "table rows": "|a|b|\n|-|-|\n" + "|1|2|\n" * (n * 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()

    from tilbook.site.markdown import MarkdownOptions, render_markdown

    options = MarkdownOptions(math=True, admonition=True, attr_list=True, def_list=True, nl2br=False, toc_depth=3)
    render_markdown("warm up: *x* `y` <b>z</b>\n", options)
    for name, text in bodies(args.scale).items():
        started = time.perf_counter()
        render_markdown(text, options)
        print(f"{name:28s} {len(text) / 1000:8.0f} KB {time.perf_counter() - started:7.2f} s")


if __name__ == "__main__":
    main()
