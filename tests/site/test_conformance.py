"""Our Markdown against GitHub's renderer (cmark-gfm) on the 512 real posts in ../shared/corpora."""

import pytest
import yaml

from tests.conftest import CORPORA
from tests.site.conformance import blocks, cmark, compare_corpus
from tilbook.site.markdown import MarkdownOptions, render_markdown

PLAIN = MarkdownOptions(math=False, admonition=False, attr_list=False, def_list=False, nl2br=False, toc_depth=3)


@pytest.mark.parametrize(
    "text",
    [
        "문단입니다\n- 항목1\n- 항목2\n",  # a list right after a paragraph line
        "- a\n  - b\n    - c\n",  # nested by two spaces
        "````\n```\ninner\n```\n````\n",  # four backticks around three
        "~~~~rust\nfn main() {}\n~~~~\n",
        "```ls``` 명령어로 확인한다\n",  # inline code at the start of a line, not a fence
        "| a | b |\n|---|--:|\n| 1 | 2 |\n",
        "- [ ] todo\n- [x] done\n",
        "text[^1]\n\n[^1]: note\n",
        "~~gone~~ and https://example.org\n",
        "<details><summary>s</summary>\n\ninside\n</details>\n",
        "line<br/>break\n",
        "Title\n=====\n\n---\n",
    ],
)
def test_gfm_constructs_match_github(text):
    assert blocks(render_markdown(text, PLAIN).html) == blocks(cmark(text))


def test_corpora_block_structure_matches_github(tmp_path):
    results = []
    for corpus in sorted(p for p in CORPORA.iterdir() if p.is_dir()):
        results += [(corpus.name, *r) for r in compare_corpus(corpus, tmp_path / corpus.name)]
    assert len(results) == 512
    differing = [(c, post) for c, post, same, _ in results if not same]
    assert 1 - len(differing) / len(results) >= 0.98, differing
    # Every post that differs is one whose author turned math on: `$$...$$` written right
    # after a paragraph line is a display block there (as their site showed it) and paragraph
    # text for cmark-gfm, which has no math.
    for corpus, post in differing:
        text = (CORPORA / corpus / post).read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("---", 2)[1])
        assert front.get("math") is True and "$$" in text, post
