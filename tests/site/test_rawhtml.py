"""Raw HTML in a body is balanced so that it cannot break the page around it (site/rawhtml.py)."""

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tilbook.site.markdown import MarkdownOptions, render_markdown
from tilbook.site.rawhtml import FOREIGN, LEFT_TO_BROWSER, RAW_TEXT, VOID

OPTIONS = MarkdownOptions(math=False, admonition=False, attr_list=False, def_list=False, nl2br=False, toc_depth=3)


def render(source: str):
    return render_markdown(source, OPTIONS)


def notes(source: str) -> list[tuple[int | None, str]]:
    return [(n.line, n.message) for n in render(source).notes]


class _Nesting(HTMLParser):
    """Python's tokenizer (not ours): whether every element that must be closed is, in order
    (of the tags in `only`, when given: the others are left out of the reckoning)."""

    def __init__(self, only: frozenset[str] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.only = only
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.foreign = 0

    def handle_starttag(self, tag, attrs):
        if self.only is not None and tag not in self.only:
            return
        if self.foreign:
            self.foreign += tag in FOREIGN
            return
        if tag not in VOID and tag not in LEFT_TO_BROWSER:
            self.stack.append(tag)
            self.foreign += tag in FOREIGN

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID and tag not in FOREIGN and not self.foreign:
            self.handle_starttag(tag, attrs)  # `<div/>`: an opening to HTML (the slash means nothing)

    def handle_endtag(self, tag):
        if self.only is not None and tag not in self.only:
            return
        if self.foreign:
            self.foreign -= tag in FOREIGN
            if self.foreign:
                return
        if tag in VOID or tag in LEFT_TO_BROWSER:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()


def nesting_errors(html: str, only: frozenset[str] | None = None) -> list[str]:
    parser = _Nesting(only)
    parser.feed(html)
    parser.close()
    return parser.errors + [f"<{tag}> left open" for tag in parser.stack]


def test_a_details_never_closed_is_closed_at_the_end_before_the_footnotes():
    html = render("<details>\n<summary>more</summary>\n\ninside[^1]\n\n[^1]: a note\n").html
    assert html.index("</details>") < html.index('class="footnotes')
    assert not nesting_errors(html)
    assert notes("<details>\n<summary>more</summary>\n\ninside\n") == [(1, "<details> is never closed")]


def test_a_stray_end_tag_is_left_out_and_said_where():
    html = render("one\n\n</div>\n\ntwo\n").html
    assert "</div>" not in html
    assert "<p>two</p>" in html
    assert notes("one\n\n</div>\n\ntwo\n") == [(3, "</div> closes no <div>")]


def test_an_inline_element_left_open_is_closed_at_its_paragraphs_end():
    source = "a <b>bold\nand on\n\nnext paragraph\n"
    html = render(source).html
    assert "<p>a <b>bold\nand on</b></p>" in html
    assert notes(source) == [(1, "<b> is not closed in its paragraph")]
    # on its second line: the line of the tag
    assert notes("first\nsecond <span>x\n") == [(2, "<span> is not closed in its paragraph")]


def test_a_pasted_log_full_of_angle_brackets_gets_ten_warnings_and_a_count():
    found = notes("".join(f"step {i} <tensor> loss\n" for i in range(1, 501)))
    hint = render("List<String> names\n").notes[0].hint
    assert hint == "to show it as text, put it in backticks (`<String>`) or write \\<String>"
    assert len(found) == 11
    assert found[:2] == [(n, "<tensor> is read as an HTML tag, and the page does not show it") for n in (1, 2)]
    assert found[-1] == (11, "and 490 more tags balanced in this entry")


def test_children_left_open_are_closed_before_their_parents_end():
    html = render("<div><b>loud\n</div>\n").html
    assert "<b>loud\n</b></div>" in html
    assert notes("<div><b>loud\n</div>\n") == [(1, "<b> is not closed before the </div> around it")]


def test_an_xhtml_empty_element_is_closed_at_once():
    html = render('<a name="top"/>\n\nText after it.\n').html
    assert '<a name="top"/></a>' in html
    assert not notes('<a name="top"/>\n\nText after it.\n')


@pytest.mark.parametrize("source", [
    "<details>\n<summary>s</summary>\n\nbody **bold**\n\n</details>\n",
    '<svg width="10" height="10"><path d="M0 0"/><circle r="1"/></svg>\n',
    "<script>\nif (a < b) document.write('</div><b>');\n</script>\n",
    "<!-- <div> commented out -->\n\ntext\n",
    "`</div>` in code, and a fence:\n\n```html\n<details>\n```\n",
    "<table>\n<tr><td>no end tags for cells<td>two\n</table>\n",
    "<p>one<p>two\n\n<br></br><img src=x>\n",
    "a <kbd>Ctrl</kbd>+<kbd>C</kbd> and <span class=x>span</span>\n",
])
def test_html_that_is_whole_is_left_as_written(source, monkeypatch):
    balanced = render(source)
    assert not balanced.notes
    monkeypatch.setattr("tilbook.site.markdown.needs_balancing", lambda tokens: False)
    assert balanced.html == render(source).html


def test_a_body_line_becomes_a_file_line_in_the_build(tmp_path):
    from tilbook.config import load_config
    from tilbook.site.build import build_site

    (tmp_path / "journal").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ndocs_dir: journal\n", encoding="utf-8")
    (tmp_path / "journal" / "2026-11-01-x.md").write_text(
        "---\ntitle: x\ndate: 2026-11-01\n---\nintro\n\n<details>\n<summary>s</summary>\n\nin\n", encoding="utf-8")
    result = build_site(load_config(tmp_path / "mkdocs.yml"))
    found = [w for w in result.warnings if "never closed" in w.message]
    assert [(w.path, w.line) for w in found] == [("journal/2026-11-01-x.md", 7)]
    page = (tmp_path / "site" / "2026" / "11" / "01" / "x" / "index.html").read_text(encoding="utf-8")
    assert page.index("</details>") < page.index("</article>")


# Tags Markdown never makes (from these pieces), so that the check reads the raw HTML's own: it
# may nest across a list item's tags (`<b>` before a list, `</b>` in an item), which a browser
# untangles inside the body.
TAGS = ["div", "details", "b", "span", "u", "kbd", "figure", "aside", "svg", "script", "table"]
pieces = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"<{t} />"),
    st.sampled_from(["\n", "\n\n", "text ", "**bold** ", "<br>", "<p>", "</li>", "- item\n", "    code\n", "> quote\n",
                     '<a name="x"/>', "<em>", "</em>",
                     "<!-- c -->", "`<b>`", "<path d='x'/>", "[^1]", "\n\n[^1]: note\n", "# head\n"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=30).map("".join))
def test_any_body_renders_to_balanced_html(source):
    """Whatever the raw HTML, the body's elements close in order inside it: the page's own
    elements after it are never its children."""
    html = render(source).html
    if any(f"<{t}" in html for t in RAW_TEXT):
        return  # a <script>'s text is not HTML to a browser; Python's tokenizer differs there
    assert not nesting_errors(html, frozenset(TAGS)), html
