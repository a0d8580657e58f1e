"""CJK-friendly emphasis: `**강조(괄호)**는` is bold, and text with no CJK character next to a
delimiter parses exactly as CommonMark says."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tilbook.journal.emphasis import cjk_friendly_plugin, is_cjk
from tilbook.site.markdown import MarkdownOptions, render_markdown

OPTIONS = MarkdownOptions(math=False, admonition=False, attr_list=False, def_list=False, nl2br=False, toc_depth=3)


@pytest.mark.parametrize("source, html", [
    # Korean corpora, as written (soohyun-chris-jeon, teddylee777)
    ("**코드 포매터(formatter)**는 필수다.", "<strong>코드 포매터(formatter)</strong>는 필수다."),
    ("핵심은 **재사용성(Reusability)**과 **재현성(Reproducibility)**이다.",
     "핵심은 <strong>재사용성(Reusability)</strong>과 <strong>재현성(Reproducibility)</strong>이다."),
    ("워커를 **'블로킹(Blocking)'**시켜", "워커를 <strong>'블로킹(Blocking)'</strong>시켜"),
    ('**"username"**에 계정을', "<strong>&quot;username&quot;</strong>에 계정을"),
    ("*이 텍스트(괄호 포함)*는 기울임", "<em>이 텍스트(괄호 포함)</em>는 기울임"),
    ("~~옛 방법(폐기)~~을 지운다", "<s>옛 방법(폐기)</s>을 지운다"),
    ("한글**\"따옴표\"**한글", "한글<strong>&quot;따옴표&quot;</strong>한글"),
    # Chinese and Japanese punctuation inside the run
    ("**重要提示（注意）：**请注意。", "<strong>重要提示（注意）：</strong>请注意。"),
    ("**強調記号。**この文。", "<strong>強調記号。</strong>この文。"),
    # unchanged: a space inside the run, `_` inside a word
    ("와 **MacOS 터미널 **을", "와 **MacOS 터미널 **을"),
    ("snake_case_이름_이다", "snake_case_이름_이다"),
])
def test_emphasis_next_to_cjk(source, html):
    assert render_markdown(source, OPTIONS).html.strip() == f"<p>{html}</p>"


@pytest.mark.parametrize("source, html", [
    # every inline parse of a body scans the amended way, not only a paragraph's
    ("[**링크(괄호)**는](https://example.org/)", '<p><a href="https://example.org/"><strong>링크(괄호)</strong>는</a></p>'),
    ("- **항목(괄호)**은", "<ul>\n<li><strong>항목(괄호)</strong>은</li>\n</ul>"),
    ("| 열 |\n|---|\n| **칸(괄호)**은 |", "<strong>칸(괄호)</strong>은</td>"),
    ("본문[^1]\n\n[^1]: **각주(괄호)**는", "<strong>각주(괄호)</strong>는"),
    ("# **제목(괄호)**은", "<strong>제목(괄호)</strong>은</h1>"),
])
def test_emphasis_next_to_cjk_in_every_inline(source, html):
    assert html in render_markdown(source, OPTIONS).html


def test_what_counts_as_cjk():
    assert all(map(is_cjk, "한글ᄀㄱ漢字かなカナ，。「」ｶ"))
    assert not any(map(is_cjk, "aé(—“1 🙂⭐✅"))
    assert is_cjk("〈")  # U+2329, the one wide bracket among the emoji-heavy symbols


_NOT_CJK = st.lists(st.sampled_from(list("ab1 *_~()'\".,!?-é—“”\n") + ["**", "__", "~~"]), max_size=40).map("".join)
_PLAIN = MarkdownIt("commonmark").enable(["strikethrough"])
_CJK = MarkdownIt("commonmark").enable(["strikethrough"]).use(cjk_friendly_plugin)


@settings(max_examples=400, deadline=None)
@given(_NOT_CJK)
def test_without_cjk_it_is_commonmark(text):
    assert _CJK.render(text) == _PLAIN.render(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("가나 *_~().,\"'「」。a") + ["**"]), max_size=30).map("".join))
def test_any_mix_parses_and_keeps_its_text(text):
    """Whatever pairs, no character is lost: the text without its markers is the same."""
    import re

    def words(html: str) -> str:
        return re.sub(r"[*_~\s]|<[^>]+>", "", html)

    assert words(_CJK.render(text)) == words(_PLAIN.render(text))
