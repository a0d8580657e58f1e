"""Block structure of our Markdown rendering against cmark-gfm (GitHub's renderer).

Used by tests/site/test_conformance.py, and runnable to list the posts that differ:

    python -m tests.site.conformance
"""

from __future__ import annotations

import difflib
import sys
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

from tilbook.config import load_config
from tilbook.journal import load_journal
from tilbook.site.bodies import render_body
from tilbook.site.rawhtml import VOID

BLOCKS = {"p", "ul", "ol", "li", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr", "th", "td"}
CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES | Options.CMARK_OPT_GITHUB_PRE_LANG


class _Blocks(HTMLParser):
    """(depth, tag) of each block element, in document order. Footnote sections and our
    footnote separator are left out (cmark-gfm and markdown-it place them differently); a
    display-math block counts as the paragraph cmark-gfm sees. An end tag closes what is
    open inside its element, as in a browser: a `<pre>` a post leaves open ends with the
    `</div>` around it (the depth is that of the blocks open)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.stack: list[str] = []  # every open element but void ones
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.skip:
            if tag in ("section", "div"):
                self.skip += 1
            return
        if tag == "section" and "footnotes" in classes:
            self.skip = 1
            return
        if tag == "hr" and "footnotes-sep" in classes:
            return
        if tag == "div" and "math" in classes and "block" in classes:
            tag = "p"
        if tag in BLOCKS:
            self.found.append((sum(t in BLOCKS for t in self.stack), tag))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in ("section", "div"):
                self.skip -= 1
            return
        if tag == "div" and self.stack and self.stack[-1] == "p":
            tag = "p"
        if tag in self.stack:
            while self.stack:
                if self.stack.pop() == tag:
                    break


def blocks(html_text: str) -> list[tuple[int, str]]:
    parser = _Blocks()
    parser.feed(html_text)
    parser.close()
    return parser.found


def cmark(text: str) -> str:
    # GFM without its tagfilter: tilbook passes <style>, <script> and <iframe> through as Jekyll
    # does, and an escaped <style> would change what an HTML parser sees as blocks.
    return cmarkgfm.markdown_to_html_with_extensions(
        text, options=CMARK_OPTIONS, extensions=["table", "autolink", "strikethrough", "tasklist"]
    )


def _repeats_title(text: str, title: str) -> bool:
    first = text.lstrip("\n").split("\n", 1)[0]
    return first.startswith("# ") and " ".join(first[2:].strip().strip("#").split()).casefold() == " ".join(
        title.split()).casefold()


def compare_corpus(corpus: Path, workspace: Path) -> list[tuple[str, bool, str]]:
    """(post, same block structure, first difference) for every post of a corpus folder."""
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "mkdocs.yml").write_text(f"site_name: c\ndocs_dir: {corpus}\ntilbook:\n  timezone: Asia/Seoul\n",
                                          encoding="utf-8")
    config = load_config(workspace / "mkdocs.yml")
    journal = load_journal(config)
    out = []
    for entry in journal.entries:
        ours = render_body(entry, config, entry.rel_path.as_posix())
        # Both engines get the same input: the body after Jekyll's Liquid was handled, as the
        # author saw it published.
        from tilbook.site.liquid import convert_jekyll

        text = entry.body
        if entry.front_matter.format == "yaml":
            text = convert_jekyll(text, base_path="", site_url="", post_url=lambda n: f"tilbook:post/{n}").text
        a, b = blocks(ours.html), blocks(cmark(text))
        if b[:1] == [(0, "h1")] and a[:1] != [(0, "h1")] and _repeats_title(text, entry.title):
            b = b[1:]  # the page shows the title; the body leaves out a first heading that repeats it
        diff = ""
        if a != b:
            sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
            op = next(o for o in sm.get_opcodes() if o[0] != "equal")
            diff = f"{op[0]} ours {a[op[1]:op[2]][:4]} vs cmark {b[op[3]:op[4]][:4]}"
        out.append((entry.rel_path.as_posix(), a == b, diff))
    return out


if __name__ == "__main__":  # pragma: no cover
    import tempfile

    root = Path(__file__).resolve().parents[3] / "shared" / "corpora"
    total = same = 0
    for corpus in sorted(p for p in root.iterdir() if p.is_dir()):
        results = compare_corpus(corpus, Path(tempfile.mkdtemp()))
        total += len(results)
        same += sum(ok for _, ok, _ in results)
        for post, ok, diff in results:
            if not ok:
                print(f"{corpus.name}/{post}: {diff}")
    print(f"{same}/{total} posts match ({same / total:.1%})", file=sys.stderr)
