"""Import every corpus of ../shared/corpora into a fresh workspace, build it with --strict,
and check the result: no post lost a word of its prose, every old address has its redirect.

    python bench/import_corpora.py [--keep DIR]

Prints one line per corpus: posts imported, constructs converted, warnings, old addresses,
import and build seconds, posts that lost words, and the markup readers would see as text:
runs of prose (outside code) on entry pages that still show `**` or an HTML tag such as
`<span class="n">` (written escaped on purpose, or a construct that did not convert).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import re  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

from tests.importer.prose import ATTR_CONFIG, CORPUS_SOURCES, lost_words  # noqa: E402
from tilbook.config import load_config  # noqa: E402
from tilbook.importer import run_import  # noqa: E402
from tilbook.journal.load import load_journal  # noqa: E402
from tilbook.site.build import build_site  # noqa: E402
from tilbook.site.collect import output_file, redirect_file  # noqa: E402

CORPORA = REPO.parent / "shared" / "corpora"


class _ShownMarkup(HTMLParser):
    """Text runs of an entry's body, outside code, that show `**` or an HTML tag."""

    def __init__(self) -> None:
        super().__init__()
        self.code, self.found = 0, []  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        self.code += tag in ("code", "pre", "script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.code -= tag in ("code", "pre", "script", "style")

    def handle_data(self, data: str) -> None:
        if not self.code and ("**" in data or re.search(r"<(span|div|p|img|a)\b[^>]*>", data)):
            self.found.append(" ".join(data.split())[:80])


def shown_markup(page_html: str) -> list[str]:
    body = re.search(r'<div class="body">(.*?)</article>', page_html, re.S)
    parser = _ShownMarkup()
    parser.feed(body.group(1) if body else "")
    return parser.found


def check(kind: str, name: str, url: str, root: Path) -> dict:
    (root / "journal").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(ATTR_CONFIG, encoding="utf-8")
    config = load_config(root / "mkdocs.yml")
    started = time.perf_counter()
    report = run_import(kind, CORPORA / name, config, site_url=url)  # type: ignore[arg-type]
    imported = time.perf_counter() - started
    started = time.perf_counter()
    build_site(config, strict=True)
    built = time.perf_counter() - started
    journal = load_journal(config)
    lost = {}
    shown: dict[str, list[str]] = {}
    missing_redirects = []
    for entry in journal.entries:
        source = CORPORA / name / str(entry.front_matter.data["imported_from"])
        page = config.site_dir / output_file(entry.url(config.tilbook.permalink))
        html = page.read_text(encoding="utf-8")
        gone = lost_words(source.read_text(encoding="utf-8"), html)
        if markup := shown_markup(html):
            shown[entry.rel_path.as_posix()] = markup
        if gone:
            lost[entry.rel_path.as_posix()] = sorted(gone)[:10]
        own = output_file(entry.url(config.tilbook.permalink))
        for old in entry.redirects:
            if redirect_file(old) == own:
                continue  # the old address is the new one: the page itself answers it
            target = config.site_dir / redirect_file(old)
            if not target.is_file() or 'http-equiv="refresh"' not in target.read_text(encoding="utf-8"):
                missing_redirects.append(old)
    s = report.summary()
    return {"corpus": name, "kind": kind, "imported": s["imported"], "failed": s["failed"],
            "converted": s["converted"], "warnings": s["warnings"], "redirects": s["redirects"],
            "import_s": imported, "build_s": built, "lost": lost, "missing_redirects": missing_redirects,
            "shown": shown}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", help="leave the workspaces here")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tilbook-import-"))
    failed = False
    try:
        for kind, name, url, _ in CORPUS_SOURCES:
            row = check(kind, name, url, base / name)
            converted = ", ".join(f"{k} {v}" for k, v in row["converted"].items())
            print(f"{name} ({kind}): {row['imported']} imported, {row['failed']} failed, {row['warnings']} warnings, "
                  f"{row['redirects']} old addresses; import {row['import_s']:.2f}s, build --strict {row['build_s']:.2f}s; "
                  f"posts that lost words: {len(row['lost'])}; redirects missing: {len(row['missing_redirects'])}")
            print(f"    converted: {converted}")
            runs = sum(len(v) for v in row["shown"].values())
            print(f"    markup shown as text: {runs} runs in {len(row['shown'])} posts")
            for rel, found in list(row["shown"].items())[:3]:
                print(f"      {rel}: {found[0]!r}")
            for old in row["missing_redirects"][:5]:
                print(f"    no redirect at {old}")
            for rel, words in list(row["lost"].items())[:5]:
                print(f"    lost in {rel}: {words}")
            failed = failed or bool(row["lost"] or row["missing_redirects"] or row["failed"])
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
