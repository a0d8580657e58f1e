#!/usr/bin/env python3
"""Live preview latency: from saving an entry to seeing it in the open page.

    python bench/serve.py                  # N = 2,000 entries, 7 edits, median
    python bench/serve.py --entries 200 --edits 5
    python bench/serve.py --after-build    # `tilbook build` first: the preview starts from its caches

Generates a journal with ../shared/bench/gen_journal.py, starts `tilbook serve` on it,
opens one entry in headless Chromium (Debian's), then edits that entry's file again and
again; each time it waits until the page shows the new text and takes the time from the
write. The first build and the first search indexing are done before the first edit.
Issue 6's target: within 1 s at N = 2,000.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GEN = REPO.parent / "shared" / "bench" / "gen_journal.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--after-build", action="store_true",
                        help="run `tilbook build` before `serve`, as a writer who built the site does")
    parser.add_argument("--chromium", default=os.environ.get("TILBOOK_CHROMIUM") or shutil.which("chromium"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tilbook-serve-bench-"))
    start = ["--start", "1995-01-01"] if args.entries > 2000 else []
    subprocess.run([sys.executable, str(GEN), str(work / "gen"), "--entries", str(args.entries), *start],
                   check=True, capture_output=True)
    shutil.move(str(work / "gen" / "journal"), work / "journal")
    (work / "mkdocs.yml").write_text("site_name: bench\ntheme:\n  language: ko\ntilbook:\n  timezone: Asia/Seoul\n",
                                     encoding="utf-8")
    entry = sorted((work / "journal").rglob("*.md"))[-1]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as an installed tool runs
    if args.after_build:
        subprocess.run([sys.executable, "-m", "tilbook", "build"], cwd=work, env=env, check=True, capture_output=True)
    server = subprocess.Popen([sys.executable, "-m", "tilbook", "serve", "--port", "0"], cwd=work, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(server.stderr.readline, "")), daemon=True).start()
    try:
        began = time.perf_counter()
        url = server.stdout.readline().split()[1]
        first = time.perf_counter() - began
        listing = work / ".tilbook/serve/site/pagefind/tilbook.json"  # there at once when every shard was kept
        while not any("search index updated" in line for line in lines) and not listing.is_file():
            if server.poll() is not None:
                raise SystemExit("".join(lines))
            time.sleep(0.2)
        indexed = time.perf_counter() - began
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            rel = entry.relative_to(work / "journal").as_posix()
            page.goto(url)
            link = page.locator(".card-title a").first  # the newest entry is the last file
            link.click()
            page.wait_for_load_state("networkidle")
            original = entry.read_text(encoding="utf-8")
            times = []
            for i in range(args.edits):
                word = f"편집확인{i}x{os.getpid()}"
                t0 = time.perf_counter()
                entry.write_text(original + f"\n\n{word}\n", encoding="utf-8")
                page.wait_for_function("w => document.body.innerText.includes(w)", arg=word, timeout=60_000)
                times.append(time.perf_counter() - t0)
                time.sleep(0.6)  # a writer pauses between saves
            entry.write_text(original, encoding="utf-8")
            browser.close()
        print(f"{args.entries} entries ({rel} edited), {os.cpu_count()} cores")
        after = " (after `tilbook build`)" if args.after_build else ""
        print(f"  first build until serving{after}: {first:.1f}s; search index ready at {indexed:.1f}s")
        print(f"  save → visible in the open page: median {statistics.median(times):.2f}s, "
              f"min {min(times):.2f}s, max {max(times):.2f}s over {len(times)} edits")
        rebuilds = [line.strip() for line in lines if "rebuilt:" in line][-3:]
        print("  last rebuilds as the server reported them:\n    " + "\n    ".join(rebuilds))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
