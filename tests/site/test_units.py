"""Dense logic of the site stage: streaks, the heatmap grid, Jekyll leftovers, link rewriting."""

import datetime as dt
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tilbook.site.heatmap import compute_streaks, heatmap_svg
from tilbook.site.liquid import convert_jekyll
from tilbook.site import markdown as md
from tilbook.site.markdown import link_rewriter

D = dt.date


def test_streaks():
    days = [D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 5), D(2026, 11, 6)]
    s = compute_streaks(days, today=D(2026, 11, 6))
    assert (s.current, s.longest, s.longest_end) == (2, 3, D(2026, 11, 3))
    # Today not written yet: the streak ending yesterday still counts; two days ago it is over.
    assert compute_streaks(days, today=D(2026, 11, 7)).current == 2
    assert compute_streaks(days, today=D(2026, 11, 8)).current == 0
    assert compute_streaks([], today=D(2026, 11, 8)) == compute_streaks([], today=D(2026, 1, 1))
    # Across a month and a leap day.
    leap = [D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 1)]
    assert compute_streaks(leap, today=D(2024, 3, 1)).longest == 3


def test_heatmap_grid_places_days_by_weekday():
    counts = Counter({D(2026, 11, 1): 1, D(2026, 11, 4): 5})
    svg = heatmap_svg(counts, start=D(2026, 11, 1), end=D(2026, 11, 14), weekdays="S M T W T F S".split(),
                      months=[str(m) for m in range(1, 13)], label="days", entry_word=("1 entry", "{n} entries"),
                      day_url={D(2026, 11, 4): "/x/"})
    assert svg.count("<rect") == 14
    # 2026-11-01 is a Sunday: first column, first row; 11-04 (Wednesday) row 3, capped at level 4.
    assert 'class="hm-cell l1" x="28" y="16"' in svg and 'data-date="2026-11-01"' in svg
    assert 'class="hm-cell l4" x="28" y="58"' in svg and "<title>2026-11-04: 5 entries</title>" in svg
    assert '<a href="/x/" tabindex="-1"><rect class="hm-cell l4"' in svg


def test_liquid_raw_across_lines_highlight_and_ials():
    body = "{% raw %}\n{{ a }}\n{% endraw %}\n{% highlight python linenos %}\nx = {{ 1 }}\n{% endhighlight %}\n" \
           "text {{ site.url }}{{site.baseurl}}/img.png\n{: .notice}\n```\n{{ in_code }}\n```\n{{ page.title }}\n"
    result = convert_jekyll(body, base_path="/til", site_url="https://me.github.io", post_url=lambda n: None)
    lines = result.text.split("\n")
    assert lines[:3] == ["", "{{ a }}", ""]
    assert lines[3:6] == ["```python", "x = {{ 1 }}", "```"]
    assert lines[6] == "text https://me.github.io/til/img.png"
    assert lines[7] == ""
    assert len(lines) == len(body.split("\n"))  # line numbers still point into the file
    assert result.leftovers == ((12, "{{ page.title }}"),)  # Liquid in code is code, not reported


def test_unknown_post_url_is_reported_and_kept():
    result = convert_jekyll("[x]({% post_url nope %})", base_path="", site_url="", post_url=lambda n: None)
    assert result.text == "[x]({% post_url nope %})" and result.unknown_posts == ((1, "nope"),)


def test_link_rewriting():
    links, assets = set(), set()
    rewrite = link_rewriter("2026/2026-11-02-a.md", "/til")
    assert rewrite("https://example.org/x", links, assets) == "https://example.org/x"
    assert rewrite("#section", links, assets) == "#section"
    assert rewrite("/about/", links, assets) == "/til/about/"
    assert rewrite("/til/already/", links, assets) == "/til/already/"
    assert rewrite("2026-11-01-b.md#%ED%95%9C", links, assets) == "tilbook:entry/2026/2026-11-01-b.md#%ED%95%9C"
    assert rewrite("../images/%EC%9D%B4%EB%AF%B8%EC%A7%80%20004.png", links, assets) == \
        "/til/images/%EC%9D%B4%EB%AF%B8%EC%A7%80%20004.png"
    assert rewrite("../../outside.png", links, assets) == "../../outside.png"
    assert links == {"2026/2026-11-01-b.md"} and assets == {"images/이미지 004.png"}


def test_html_store_rows_survive_processes_and_a_broken_file_is_begun_again(tmp_path):
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    from tilbook.site.store import HtmlStore

    store = HtmlStore(tmp_path / "cache" / "html.sqlite")
    store.put("a", "<p>한글</p>")
    store.put("a", "<p>ignored: same key, same bytes</p>")
    with ProcessPoolExecutor(2) as pool:  # forked workers write through their own connections
        list(pool.map(_put_in_worker, [(store, f"k{i}") for i in range(6)]))
    again = pickle.loads(pickle.dumps(store))  # what a spawned worker would get
    assert again.get("a") == "<p>한글</p>" and again.get("k5") == "<p>k5</p>"
    assert store.keys() == {"a", *(f"k{i}" for i in range(6))}
    store.prune({"a", "k1"})
    assert store.keys() == {"a", "k1"}
    with pytest.raises(KeyError):
        store.get("k2")
    store.close()
    again.close()
    (tmp_path / "cache" / "html.sqlite").write_bytes(b"not a database, e.g. a torn copy" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / "cache" / f"html.sqlite{suffix}").unlink(missing_ok=True)
    fresh = HtmlStore(tmp_path / "cache" / "html.sqlite")
    assert fresh.keys() == set()
    fresh.close()


def test_html_store_holds_writes_until_a_flush(tmp_path):
    """A parse worker holds its rows and writes a chunk's in one transaction: until then
    the worker reads them as stored and other connections do not see them; closing flushes."""
    from tilbook.site.store import HtmlStore

    path = tmp_path / "html.sqlite"
    worker, other = HtmlStore(path), HtmlStore(path)
    worker.put("a", "<p>first</p>")
    worker.hold_writes()
    worker.put("b", "<p>둘</p>")
    worker.put_fragment("hl:1", "<pre>code</pre>")
    assert worker.get("b") == "<p>둘</p>" and worker.get_fragment("hl:1") == "<pre>code</pre>"
    assert other.keys() == {"a"} and other.get_fragment("hl:1") is None
    worker.flush()
    assert other.keys() == {"a", "b"} and other.get_fragment("hl:1") == "<pre>code</pre>"
    worker.put("c", "<p>셋</p>")
    worker.close()  # what is held is not lost
    assert other.get("c") == "<p>셋</p>"
    worker = HtmlStore(path)
    worker.hold_writes()
    worker.put("d", "<p>넷</p>")
    worker.hold_writes(False)  # flushed, and each row written as it comes again
    worker.put("e", "<p>다섯</p>")
    assert other.keys() == {"a", "b", "c", "d", "e"}
    worker.close()
    other.close()


def test_html_store_says_which_bodies_it_lacks(tmp_path):
    """Held rows count as stored; a thousand keys at once are asked in pieces."""
    from tilbook.site.store import HtmlStore

    store = HtmlStore(tmp_path / "html.sqlite")
    for i in range(0, 1200, 2):
        store.put(f"k{i}", "<p>x</p>")
    store.hold_writes()
    store.put("held", "<p>y</p>")
    assert store.missing({"k0", "held"}) == set()
    assert store.missing({f"k{i}" for i in range(1200)} | {"held", "gone"}) == {f"k{i}" for i in range(1, 1200, 2)} | {"gone"}
    store.close()


def test_highlighted_code_is_kept_and_reused(tmp_path, monkeypatch):
    """A code block is highlighted once: an edited entry whose code did not change takes it
    from the store (building a Pygments lexer alone costs a tenth of a second)."""
    import tilbook.site.markdown as md
    from tilbook.site.store import HtmlStore

    options = md.MarkdownOptions(math=False, admonition=False, attr_list=False, def_list=False, nl2br=False, toc_depth=3)
    source = "text\n\n```python\nprint('안녕')\n```\n"
    plain = md.render_markdown(source, options).html
    assert '<span class="nb">print</span>' in plain

    store = HtmlStore(tmp_path / "html.sqlite")
    try:
        md.use_fragment_cache(store)
        assert md.render_markdown(source, options).html == plain
        (key,) = [row[0] for row in store._db().execute("SELECT key FROM fragment")]
        # the next render takes the block from the store, not from Pygments
        store._db().execute("UPDATE fragment SET body = ? WHERE key = ?", ("<pre>kept</pre>", key))
        monkeypatch.setattr(md, "_highlight_now", lambda *a: pytest.fail("highlighted again"))
        assert "<pre>kept</pre>" in md.render_markdown(source + "\nmore prose\n", options).html
        monkeypatch.undo()
        other = md.render_markdown("```python\nprint(2)\n```\n", options).html  # new code: highlighted
        assert '<span class="mi">2</span>' in other
        assert store._db().execute("SELECT count(*) FROM fragment").fetchone()[0] == 2
        monkeypatch.setattr("tilbook.site.store.FRAGMENTS_MIN", 1)
        store.prune(set())  # far more fragments than 8 per kept body: begun again
        assert store._db().execute("SELECT count(*) FROM fragment").fetchone()[0] == 0
    finally:
        md.use_fragment_cache(None)
        store.close()
    assert md.render_markdown(source, options).html == plain


def _put_in_worker(job):
    store, key = job
    store.put(key, f"<p>{key}</p>")


def _open_and_put_many(job):
    path, who = job
    from tilbook.site.store import HtmlStore

    store = HtmlStore(path)
    for i in range(30):
        store.put(f"{who}-{i}", "<p>" + "x" * 500 + "</p>")
    store.close()


def test_processes_opening_a_new_store_at_once_lose_nothing(tmp_path):
    """Workers that open a store no one has made yet race to switch it to WAL; SQLite tells
    the losers "database is locked" at once. They wait their turn: the store used to treat
    that as a broken file and delete it, and the other workers' rows (and queries) with it."""
    import multiprocessing
    import sqlite3

    for trial in range(12):
        path = tmp_path / f"t{trial}" / "html.sqlite"
        with multiprocessing.get_context("fork").Pool(4) as pool:
            pool.map(_open_and_put_many, [(path, w) for w in range(4)])
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT count(*) FROM html").fetchone()[0] == 4 * 30, f"trial {trial}"


def test_a_store_held_by_another_process_is_waited_for_never_deleted(tmp_path, monkeypatch):
    """A store locked by someone else (a second `tilbook build` in the same workspace) is a
    clear error after the wait, and its rows are still there afterwards."""
    import sqlite3

    from tilbook.errors import BuildError
    from tilbook.site import store as store_module

    path = tmp_path / "html.sqlite"
    first = store_module.HtmlStore(path)
    first.put("kept", "<p>kept</p>")
    first.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=DELETE")  # so that its lock keeps everyone out
    other.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.3)
    with pytest.raises(BuildError) as caught:
        store_module.HtmlStore(path).keys()
    assert str(path) in str(caught.value) and "locked" in str(caught.value)
    other.execute("COMMIT")
    other.close()
    again = store_module.HtmlStore(path)
    assert again.get("kept") == "<p>kept</p>"
    again.close()


def test_notebook_outputs_become_files_in_jupyters_order():
    import base64

    import nbformat

    from tilbook.config.load import parse_config
    from tilbook.site.notebooks import _render_cells

    config = parse_config("site_name: x\n", path=__import__("pathlib").Path("/tmp/x/mkdocs.yml"))
    cell = nbformat.v4.new_code_cell("show()")
    cell.execution_count = 1
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", data={"image/jpeg": base64.b64encode(b"\xff\xd8jpeg").decode(),
                                                     "image/png": base64.b64encode(b"\x89PNG").decode()}),
        nbformat.v4.new_output("stream", name="stderr", text="\x1b[31m 10%\r 50%\r100%\ndone\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 제목\n\n$x^2$"), cell])
    body, images = _render_cells(nb, config, folder="notebooks/n", base="/b")
    assert images == {"notebooks/n/cell-1-1.svg": svg.encode(), "notebooks/n/cell-1-2.png": b"\x89PNG"}
    assert body.count("<figure") == 2 and 'src="/b/notebooks/n/cell-1-2.png"' in body and "&lt;Figure&gt;" not in body
    assert "100%\ndone" in body and "10%" not in body and "\x1b" not in body
    assert '<span class="math inline">' in body and "제목" in body


_HEADINGS = st.lists(st.integers(min_value=1, max_value=6), max_size=30).map(
    lambda levels: [md.Heading(level, f"h{i}", f"heading {i}") for i, level in enumerate(levels)])


@given(_HEADINGS)
def test_toc_tree_nests_each_heading_under_the_nearest_higher_one_before_it(headings) -> None:
    tree = md.toc_tree(headings)

    def walk(nodes, parent):
        for node in nodes:
            yield node, parent
            yield from walk(node.children, node)

    pairs = list(walk(tree, None))
    assert [n.id for n, _ in pairs] == [h.id for h in headings]  # pre-order gives the headings back
    for i, (node, parent) in enumerate(pairs):
        # the nearest earlier heading of a higher level (one of its level or above in
        # between would itself be nearer)
        expected = next((h.id for h in reversed(headings[:i]) if h.level < node.level), None)
        assert (parent.id if parent else None) == expected


def test_entry_toc_is_nested_lists() -> None:
    tree = md.toc_tree([md.Heading(2, "a", "A"), md.Heading(3, "b", "B"), md.Heading(3, "c", "C"),
                        md.Heading(2, "d", "D"), md.Heading(4, "e", "E")])
    assert [(n.id, [c.id for c in n.children]) for n in tree] == [("a", ["b", "c"]), ("d", ["e"])]


def test_card_excerpt_marks_math_for_katex_and_never_cuts_a_formula():
    from types import SimpleNamespace

    from tilbook.site.collect import EXCERPT_CHARS, excerpt_math_html

    def html_of(excerpt):
        return excerpt_math_html(SimpleNamespace(excerpt=excerpt))

    assert html_of("생성자 $G$와 **판별자** $D$가\n겨룬다 `x<y`") == (
        '생성자 <span class="math inline">\\(G\\)</span>와 판별자 <span class="math inline">\\(D\\)</span>'
        "가 겨룬다 x&lt;y")
    assert html_of("값은 $$a<b$$ 이다") == '값은 <span class="math inline">\\(a&lt;b\\)</span> 이다'
    assert html_of("no math here, 5$ and 6$") == ""  # cards then show the plain excerpt
    assert html_of("좌표 \\( B_i \\)를 쓴다") == '좌표 <span class="math inline">\\(B_i\\)</span>를 쓴다'
    long = "말 " * (EXCERPT_CHARS // 2 - 3) + "$\\sum_{i=1}^{n} x_i$ 뒤"
    cut = html_of(long)
    assert cut.endswith("…") and "math" not in cut and "\\sum" not in cut  # dropped whole, not cut open
    fits = html_of("말 " * 10 + "$x$ " + "끝 " * 200)
    assert fits.count("math inline") == 1 and fits.endswith("끝…") and len(fits) < EXCERPT_CHARS + 60


def test_a_runs_duration_reads_in_the_sites_language():
    from tilbook.site.notebooks import _duration

    assert [_duration(97.4, "ko"), _duration(4.21, "ko"), _duration(97.4, "en"), _duration(None, "ko")] == [
        "1분 37초", "4.2초", "1 min 37 s", "?"]


def test_what_the_lexer_cannot_read_is_not_dressed_as_an_error():
    """Pygments marks characters its lexer could not read as Error tokens: a diagram's arrows
    in a ```java block. They keep their markup, without the red box around them."""
    import re

    from tilbook.site.render import pygments_css

    options = md.MarkdownOptions(math=False, admonition=False, attr_list=False, def_list=False, nl2br=False, toc_depth=3)
    html = md.render_markdown("```java\nUser ─▶ Server\n```\n", options).html
    assert '<span class="err">─▶</span>' in html
    css = pygments_css()
    assert ".highlight .k " in css and ".highlight .s " in css  # keywords and strings keep their colours
    assert not re.search(r"\.err\b", css)


def test_highlighted_code_has_aa_contrast_in_both_colour_schemes():
    import re

    from tilbook.site.render import CODE_BACKGROUNDS, contrast, pygments_css, readable_color

    light, dark = pygments_css().split("@media (prefers-color-scheme: dark)")
    for css, background in zip((light, dark), CODE_BACKGROUNDS):
        colors = re.findall(r"(?<![-\w])color: (#[0-9a-fA-F]{3,6})\b", css)
        assert len(colors) > 30
        assert min(contrast(c, background) for c in colors) >= 4.5, css
    assert readable_color("#1f2328", "#f4f6f8") == "#1f2328"  # already readable: unchanged
    darker = readable_color("#60a0b0", "#f4f6f8")  # friendly's comments, 2.7 : 1
    assert contrast(darker, "#f4f6f8") >= 4.5 and darker != "#000000"
    assert contrast(readable_color("#30363d", "#1c2128"), "#1c2128") >= 4.5  # lighter on dark


def test_notebook_images_keep_their_room_while_they_load():
    """Output images load lazily: their width and height are written so the page does not
    jump as each arrives (the notebook's metadata size first, a retina figure's)."""
    import base64
    import io

    import nbformat

    from tilbook.config.load import parse_config
    from tilbook.site.notebooks import _display_size, _render_cells

    def png(w: int, h: int) -> bytes:
        import struct
        import zlib

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        raw = b"".join(b"\x00" + b"\x00\x00\x00" * w for _ in range(h))
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

    config = parse_config("site_name: x\n", path=__import__("pathlib").Path("/tmp/x/mkdocs.yml"))
    cell = nbformat.v4.new_code_cell("plot()")
    cell.execution_count = 3
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(png(545, 333)).decode()}),
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(png(800, 600)).decode()},
                               metadata={"image/png": {"width": 400, "height": 300}}),
    ]
    body, _ = _render_cells(nbformat.v4.new_notebook(cells=[cell]), config, folder="n", base="")
    assert 'alt="output 1 of cell [3]" width="545" height="333"' in body
    assert 'alt="output 2 of cell [3]" width="400" height="300"' in body
    # a JPEG's size is in its start-of-frame segment, after any others
    jpeg = b"\xff\xd8" + b"\xff\xe0\x00\x04ab" + b"\xff\xc0\x00\x11\x08\x00\x4b\x00\x64" + b"\x00" * 12
    assert _display_size(jpeg, None) == (100, 75)
    assert _display_size(b"<svg/>", None) is None and _display_size(io.BytesIO().getvalue(), {}) is None


def test_liquid_left_as_text_is_not_an_attribute_block():
    """With attr_list on, `{% include sidebar.html %}` alone on a line was read as an empty
    attribute block (`%…%` is a comment in the plugin's syntax) and vanished from the page."""
    options = md.MarkdownOptions(math=False, admonition=False, attr_list=True, def_list=False, nl2br=False, toc_depth=3)
    html = md.render_markdown("본문.\n\n{% include sidebar.html %}\n\n{#x .note}\n끝.\n", options).html
    assert "<p>{% include sidebar.html %}</p>" in html
    assert '<p id="x" class="note">끝.</p>' in html  # attribute blocks still work


def test_a_body_for_a_feed_has_absolute_links_and_no_heading_permalinks(tmp_path):
    """A feed reader resolves links against the feed, and has no hover to hide the ¶."""
    from tilbook.site.store import BodyHtml, HtmlStore

    store = HtmlStore(tmp_path / "h.sqlite")
    body = ('<h2 id="a">제목 <a class="header-anchor" href="#a">¶</a></h2>\n'
            '<p><a href="#a">위로</a> <a href="/til/x/">x</a> <a href="https://o.org/">o</a></p>')
    store.put("k", body)
    loader = BodyHtml(store, origin="https://e.org")
    assert loader("k", entry_urls={}, post_urls={}) == body
    assert loader("k", entry_urls={}, post_urls={}, absolute=True, page="/til/2026/11/01/a/") == (
        '<h2 id="a">제목</h2>\n<p><a href="https://e.org/til/2026/11/01/a/#a">위로</a> '
        '<a href="https://e.org/til/x/">x</a> <a href="https://o.org/">o</a></p>')
    store.close()


_MARKUP = st.lists(st.sampled_from(['id="a"', 'id="가"', 'data-id="b"', '_id="c"', '가id="d"', ' ', '<a ', '<a\n',
                                    'name="n"', 'href="#x"', '>', '"', 'id=', '</a>', 'x']), max_size=12).map("".join)


@given(_MARKUP)
def test_anchor_ids_are_what_the_word_boundary_pattern_finds(html) -> None:
    """`links._ids` finds ids without a pattern that starts with `\\b` (a search 25 times
    slower), and each of the `id` and `<a name>` patterns on its own (an `<a id=… name=…>`
    has both)."""
    import re

    from tilbook.site.links import _A_NAME, _ids

    assert _ids(html) == set(re.findall(r'\bid="([^"]*)"', html)) | set(_A_NAME.findall(html))
    assert _ids('<a id="top" name="old">') == {"top", "old"}


_AUTOLINK_PIECES = st.sampled_from(["http", "https", "mailto", "xmpp", "HTTP", ":", "//", "www.", "a", "x.com", " ",
                                    "@", "(", ")", "*", "\n", "<", ">", "`", "/path", "?q=1", ".", "_", "한",
                                    "https://", "http://", "mailto:", "xmpp:", "me@x.com", "a.b/c"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_AUTOLINK_PIECES, max_size=24).map("".join))
def test_the_autolink_rule_tried_after_schemes_only_finds_the_same_links(text):
    """md._only_after_a_scheme skips mdit-py-plugins' `http://` rule where it cannot match
    (its regex, searched over the whole paragraph at every ':', made long pastes quadratic)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.gfm import gfm_plugin

    from tilbook.journal.emphasis import wrap_rule

    plain = MarkdownIt("commonmark").use(gfm_plugin)
    ours = MarkdownIt("commonmark").use(gfm_plugin)
    wrap_rule(ours.inline.ruler, "gfm_autolink_protocol", md._only_after_a_scheme)
    assert ours.render(text) == plain.render(text)


def test_link_lines_find_where_a_target_was_written():
    from tilbook.site.links import LinkLines

    lines = LinkLines([
        "---", "title: x", "---",
        "see [the other](other.md#깊은-곳) and ![plot](../img/a.png)",
        '<img src="figs/b.png"> [pdf](<my notes.pdf>) [enc](files/my%20notes.txt)',
        "[ref]: https://example.org/x.html", "[again](other.md#깊은-곳) ![x](../img/xa.png)",
    ])
    assert lines.line("other.md#깊은-곳") == 4
    assert lines.line("#깊은-곳") == 4  # a problem names the anchor alone
    assert lines.line("a.png") == 4 and lines.line("img/a.png") == 4  # the part after a '/'
    assert lines.line("b.png") == 5
    assert lines.line("my notes.pdf") == 5  # written inside <...>, with its space
    assert lines.line("my notes.txt") == 5  # written percent-encoded
    assert lines.line("x.html") == 6
    assert lines.line("xa.png") == 7 and lines.line("missing.png") is None
    assert LinkLines([]).line("a.png") is None


def test_tex_brackets_are_math_where_math_is_on():
    """`\\( x \\)` and `\\[ x \\]`, the delimiters of pymdownx.arithmatex, MathJax and Jupyter's
    Markdown cells: a post with math on showed them as '( x )' and '[ x ]'. Where math is off
    they stay text, as GitHub shows them."""
    source = "좌표 \\( B_i = (x_i, y_i) \\)를 쓴다.\n\n\\[\nB = \\frac{1}{2}\n\\]\n\n\\[ E = mc^2 \\] (1)\n\n열림 \\(만\n"
    on = md.MarkdownOptions(math=True, admonition=False, attr_list=False, def_list=False, nl2br=False, toc_depth=3)
    rendered = md.render_markdown(source, on)
    assert rendered.has_math
    assert rendered.html == (
        '<p>좌표 <span class="math inline">\\( B_i = (x_i, y_i) \\)</span>를 쓴다.</p>\n'
        '<div class="math block">\\[B = \\frac{1}{2}\\]</div>\n'
        '<div class="math block">\\[E = mc^2 \\tag{1}\\]</div>\n'
        "<p>열림 (만</p>\n")
    off = md.render_markdown(source, replace(on, math=False))
    assert not off.has_math and "<p>좌표 ( B_i = (x_i, y_i) )를 쓴다.</p>" in off.html


@pytest.mark.parametrize(("name", "slug"), [
    ("C++", "cpp"), ("C#", "csharp"), ("F#", "fsharp"), ("c", "c"), ("Notepad++", "notepadpp"),
    ("#파이썬", "파이썬"), ("ML/DL", "ml-dl"), ("A+", "a"), ("🎉", "t"),
])
def test_a_tags_slug_keeps_what_tells_languages_apart(name, slug):
    from tilbook.site.collect import term_slug

    assert term_slug(name) == slug


def test_a_new_tag_does_not_move_another_tags_page(tmp_path):
    """C++, C# and C were all `c`, numbered in the order of their names: a first C# tag
    moved the C++ page from /tags/c/ to /tags/c-2/."""
    from tests.conftest import make_workspace
    from tilbook.site.build import build_site

    config = make_workspace(tmp_path, {"2026-11-01-a.md": "---\ntitle: a\ntags: [C++]\n---\nx\n"})
    build_site(config)
    assert (tmp_path / "site/tags/cpp/index.html").is_file()
    (tmp_path / "journal/2026-11-02-b.md").write_text("---\ntitle: b\ntags: [C#, c]\n---\nx\n", encoding="utf-8")
    build_site(config)
    assert "“C++”" in (tmp_path / "site/tags/cpp/index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "site/tags").iterdir() if p.is_dir()) == ["c", "cpp", "csharp"]
