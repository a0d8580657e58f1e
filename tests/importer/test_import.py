"""`tilbook import`: real corpora end to end, and small blogs of each kind written here."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPORA, MINIMAL_CONFIG, make_workspace, write_files
from tests.importer.prose import ATTR_CONFIG, CORPUS_SOURCES, lost_words, prose_words
from tilbook.config import load_config
from tilbook.importer.convert import Targets, convert_body, match_anchor
from tilbook.importer.sources import SourcePost, SourceSite
from tilbook.journal.load import load_journal
from tilbook.site.collect import output_file, redirect_file


@pytest.mark.parametrize(("kind", "name", "url", "posts"), CORPUS_SOURCES, ids=[c[1].split("__")[0] for c in CORPUS_SOURCES])
def test_corpus_imports_builds_strict_and_keeps_every_word(tmp_path, run, kind, name, url, posts):
    make_workspace(tmp_path, {}, config=ATTR_CONFIG)
    result = run(tmp_path, "import", kind, str(CORPORA / name), "--site-url", url, "--json")
    assert result.code == 0, result.err[-2000:]
    assert f"imported {posts} posts from {kind}" in result.out
    assert run(tmp_path, "build", "--strict").code == 0

    config = load_config(tmp_path / "mkdocs.yml")
    journal = load_journal(config)
    assert len(journal.entries) == posts and not journal.errors
    lost, no_redirect = {}, []
    for entry in journal.entries:
        source = (CORPORA / name / entry.front_matter.data["imported_from"]).read_text(encoding="utf-8")
        own = output_file(entry.url(config.tilbook.permalink))
        gone = lost_words(source, (config.site_dir / own).read_text(encoding="utf-8"))
        if gone:
            lost[entry.rel_path.as_posix()] = sorted(gone)[:8]
        for old in entry.redirects:
            page = config.site_dir / redirect_file(old)
            if redirect_file(old) != own and 'http-equiv="refresh"' not in page.read_text(encoding="utf-8"):
                no_redirect.append(old)
    assert not lost
    assert not no_redirect
    assert sum(len(e.redirects) for e in journal.entries) >= posts  # every post had an address


def test_corpus_facts_survive(tmp_path, run):
    """Dates with their offsets, terms split the Jekyll way, the file name's date when it is the only one."""
    make_workspace(tmp_path, {}, config=ATTR_CONFIG)
    assert run(tmp_path, "import", "jekyll", str(CORPORA / "soohyun-chris-jeon__soohyun-chris-jeon.github.io")).code == 0
    onnx = next((tmp_path / "journal").glob("2025-10-20-onnx.md")).read_text(encoding="utf-8")
    assert "\ndate: 2025-10-20 00:00:00 +0900\n" in onnx  # 0:00 +0900: still the 20th, offset kept
    mismatch = (tmp_path / "journal" / "2025-10-21-software.md").read_text(encoding="utf-8")
    assert '\nredirect_from:\n  - "/posts/software.html"' not in mismatch  # Jekyll default permalink, front matter date
    assert "\n  - \"/" in mismatch

    ws2 = tmp_path / "teddy"
    make_workspace(ws2, {}, config=ATTR_CONFIG)
    assert run(ws2, "import", "jekyll", str(CORPORA / "teddylee777__teddylee777.github.io")).code == 0
    lstm = (ws2 / "journal" / "2020-12-25-lstm-stock-forecast.md").read_text(encoding="utf-8")
    assert "\ndate: 2020-12-25\n" in lstm
    assert '\ncategories: ["tensorflow"]\n' in lstm
    assert '"텐서플로우 강의"' in lstm and '"TensorFlow Tutorial"' in lstm
    assert '  - "/tensorflow/2020/12/25/lstm-stock-forecast.html"' in lstm


def test_lost_words_sees_a_missing_word():
    source = "---\ntitle: t\n---\n파이토치로 **텐서**를 만들고 zebra 를 봤다.\n"
    assert lost_words(source, "<p>파이토치로 <strong>텐서</strong>를 만들고 zebra 를 봤다.</p>") == set()
    assert lost_words(source, "<p>파이토치로 <strong>텐서</strong>를 만들고 를 봤다.</p>") == {"zebra"}


# --- Jekyll, written here -------------------------------------------------------------

JEKYLL = {
    "_config.yml": "url: https://old.example.org\nbaseurl: \"\"\npermalink: /:categories/:title/\ntimezone: Asia/Seoul\n",
    "_posts/2024-03-05-first-day.md": (
        "---\n"
        "layout: post\n"
        "title: \"[PyTorch] 첫날: 텐서\"\n"
        "date: 2024-03-05 00:30:00 +0900\n"
        "categories: deep learning\n"
        "tags: [pytorch, 텐서 기초]\n"
        "redirect_from:\n  - /old/first\n"
        "comments: true\n"
        "---\n"
        "오늘은 텐서를 배웠다.\n"                                           # file line 11
        "\n"
        "{% highlight python %}\nx = torch.zeros(3)\n{% endhighlight %}\n"
        "\n"
        "{% raw %}{{ not_liquid }}{% endraw %} 그대로.\n"
        "\n"
        "[다음 글]({% post_url 2024-03-06-second %})\n"
        "\n"
        '{% include video id="dQw4w9WgXcQ" provider="youtube" %}\n'
        "\n"
        "![사진]({{ site.baseurl }}/images/pic one.png)\n"
        "\n"
        "![없는 사진](../images/missing.png)\n"
        "\n"
        "중요한 문단.\n{: .notice--info}\n"
        "\n"
        "{% include sidebar.html %}\n"                                      # file line 30
    ),
    "_posts/2024-03-06-second.md": ("---\ntitle: Second\n---\n[back](/deep/learning/first-day/) 돌아가기.\n\n"
                                    "[again]({% link _posts/2024-03-05-first-day.md %})\n"),
    "_posts/2024-03-07-broken.md": "---\ntitle: [unclosed\n---\nbody\n",
    "_drafts/idea.md": "---\ntitle: 아이디어\n---\n나중에 쓸 글.\n",
    "images/pic one.png": b"\x89PNG fake",
}


def test_jekyll_import_converts_copies_reports_and_redirects(tmp_path, run):
    src = write_files(tmp_path / "old", JEKYLL)
    ws = tmp_path / "ws"
    make_workspace(ws, {}, config=ATTR_CONFIG)
    result = run(ws, "import", "jekyll", str(src))
    assert result.code == 1  # the broken post failed; the others came
    assert "imported 3 posts from jekyll" in result.out and "1 failed" in result.out
    assert "not imported _posts/2024-03-07-broken.md" in result.err
    assert re.search(r"2024-03-05-first-day\.md:30: warning: '\{% include sidebar\.html %\}' has no meaning here", result.err)
    assert re.search(r"first-day\.md:25: warning: 1 link to files or pages not found beside the source, pointed at "
                     r"the old site https://old\.example\.org instead: \.\./images/missing\.png", result.err)

    files = {p.relative_to(ws / "journal").as_posix() for p in (ws / "journal").rglob("*") if p.is_file()}
    ideas = {f for f in files if f.endswith("-idea.md")}  # a draft without a date: the file's own time
    assert len(ideas) == 1
    assert files - ideas == {"2024-03-05-first-day.md", "2024-03-06-second.md", "images/pic one.png"}
    first = (ws / "journal" / "2024-03-05-first-day.md").read_text(encoding="utf-8")
    front, body = first.split("\n---\n", 1)
    assert "title: \"[PyTorch] 첫날: 텐서\"" in front
    assert "\ndate: 2024-03-05 00:30:00 +0900" in front
    assert '\ncategories: ["deep", "learning"]' in front
    assert '\ntags: ["pytorch", "텐서 기초"]' in front
    assert '\nredirect_from:\n  - "/deep/learning/first-day/"\n  - "/old/first"' in front
    assert "render_with_liquid: false" in front and "layout" not in front and "comments" not in front
    assert "```python\nx = torch.zeros(3)\n```" in body
    assert "{{ not_liquid }} 그대로." in body
    assert "[다음 글](2024-03-06-second.md)" in body
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in body
    assert "![사진](<images/pic one.png>)" in body
    assert "![없는 사진](https://old.example.org/images/missing.png)" in body
    assert "{.notice--info}\n중요한 문단." in body
    second = (ws / "journal" / "2024-03-06-second.md").read_text(encoding="utf-8")
    assert "[back](2024-03-05-first-day.md) 돌아가기." in second
    assert "[again](2024-03-05-first-day.md)" in second
    idea = next((ws / "journal").glob("*-idea.md")).read_text(encoding="utf-8")
    assert "\ndraft: true\n" in idea
    assert (ws / "journal" / "images" / "pic one.png").read_bytes() == b"\x89PNG fake"

    assert run(ws, "build", "--strict").code == 0
    page = (ws / "site" / "2024" / "03" / "05" / "first-day" / "index.html").read_text(encoding="utf-8")
    assert '<p class="notice--info">중요한 문단.</p>' in page
    assert "{{ not_liquid }}" in page
    for old in ("deep/learning/first-day/index.html", "old/first/index.html"):
        redirect = (ws / "site" / old).read_text(encoding="utf-8")
        assert 'content="0; url=/2024/03/05/first-day/"' in redirect
    assert "old/first" not in (ws / "site" / "sitemap.xml").read_text(encoding="utf-8")


def import_jekyll_posts(tmp_path, run, posts, config=ATTR_CONFIG):
    """`tilbook import jekyll` of a site of these `_posts` files into a new workspace: (result, workspace)."""
    src = write_files(tmp_path / "old", posts)
    ws = tmp_path / "ws"
    make_workspace(ws, {}, config=config)
    return run(ws, "import", "jekyll", str(src)), ws


NOTEBOOK_CELL = """<div class="input_area">
<div class="highlight hl-ipython3"><pre><span></span><span class="k">for</span> <span class="n">i</span> <span class="ow">in</span> <span class="nb">range</span><span class="p">(</span><span class="mi">3</span><span class="p">):</span>
    <span class="n">a</span> <span class="o">=</span> <span class="n">i</span>

    <span class="n">b</span> <span class="o">=</span> <span class="n">a</span> <span class="o">*</span> <span class="mi">2</span>
    
<span class="n">plt</span><span class="o">.</span><span class="n">show</span><span class="p">()</span>
</pre></div>
</div>
"""


def test_a_jekyll_pre_with_blank_lines_stays_whole(tmp_path, run):
    """kramdown keeps an HTML block whole to its closing tag, CommonMark ends it at a blank
    line: a notebook's code cell exported to HTML showed half its markup as text."""
    text = ("---\ntitle: 셀\n---\n" + NOTEBOOK_CELL + "\n본문.\n\n```html\n<pre>\n\nfenced</pre>\n```\n\n"
            "`<pre>` 태그 설명.\n\n그 뒤 문단.\n\n<pre>닫히지 않음\n\n끝.\n")
    result, ws = import_jekyll_posts(tmp_path, run, {"_posts/2020-09-24-cell.md": text})
    assert result.code == 0 and "<pre> with blank lines kept whole ×1" in result.out
    body = (ws / "journal" / "2020-09-24-cell.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert body.strip().count("\n") == text.split("\n---\n", 1)[1].strip().count("\n")  # no line added or lost
    assert "</span>\n<span></span>\n    <span" in body and "\n    <span></span>\n<span" in body
    assert "```html\n<pre>\n\nfenced" in body  # code is text
    assert "설명.\n\n그 뒤" in body and "닫히지 않음\n\n끝." in body  # a code span's, an unclosed <pre>

    assert run(ws, "build").code == 0
    page = (ws / "site" / "2020" / "09" / "24" / "cell" / "index.html").read_text(encoding="utf-8")
    assert "&lt;span" not in page
    pre = re.search(r'<div class="highlight hl-ipython3"><pre>(.*?)</pre>', page, re.S)
    assert pre and [re.sub(r"<[^>]+>", "", line) for line in pre.group(1).split("\n")] == [
        "for i in range(3):", "    a = i", "", "    b = a * 2", "    ", "plt.show()", ""]


def test_kramdown_markdown_in_html_is_markdown_after_import(tmp_path, run):
    """minimal-mistakes' notice box: `<div markdown="1">` wraps Markdown, which CommonMark
    would show as raw text up to the first blank line."""
    text = ("---\ntitle: 트라이\n---\n<div class=\"notice--primary\" markdown=\"1\">\n**요약**\n- 삽입: O(L)\n"
            "- 검색: O(L)\n</div>\n\n<details><summary>코드</summary>\n<div markdown='block'>\n\n```cpp\nint x;\n```\n\n"
            "</div>\n</details>\n\n```html\n<div markdown=\"1\">\n```\n{% include sidebar.html %}\n")
    result, ws = import_jekyll_posts(tmp_path, run, {"_posts/2021-04-16-trie.md": text})
    assert result.code == 0 and '<div markdown="1"> read as Markdown ×2' in result.out
    assert re.search(r"2021-04-16-trie\.md:23: warning: '\{% include sidebar\.html %\}'", result.err)  # the source's line
    body = (ws / "journal" / "2021-04-16-trie.md").read_text(encoding="utf-8")
    assert '<div class="notice--primary">\n\n**요약**' in body and "<div>\n\n```cpp" in body
    assert '```html\n<div markdown="1">\n```' in body  # code is text
    assert run(ws, "build").code == 0
    page = (ws / "site" / "2021" / "04" / "16" / "trie" / "index.html").read_text(encoding="utf-8")
    assert '<div class="notice--primary">\n<p><strong>요약</strong></p>\n<ul>\n<li>삽입: O(L)</li>' in page
    assert 'language-cpp' in page


def test_minimal_mistakes_capture_and_markdownify_become_markdown_in_the_box(tmp_path, run):
    """`{% capture x %}…{% endcapture %}` + `<div class="notice">{{ x | markdownify }}</div>`:
    the captured Markdown moves into the box, blank-line separated so CommonMark reads it."""
    text = ("---\ntitle: MySQL\n---\n본문.\n\n{% capture notice-2 %}\n**요약**\n\n* 테이블은 행과 열.\n"
            "{% endcapture %}\n\n<div class=\"notice--info\">{{ notice-2 | markdownify }}</div>\n\n"
            "{% include sidebar.html %}\n{% capture unused %}x{% endcapture %}\n")
    result, ws = import_jekyll_posts(tmp_path, run, {"_posts/2021-04-09-ch1.md": text})
    assert result.code == 0 and "{% capture %} + markdownify ×1" in result.out
    # the capture's own tags are not reported as left; what is left keeps its source line
    assert re.search(r"2021-04-09-ch1\.md:14: warning: '\{% include sidebar\.html %\}'", result.err)
    assert "capture notice-2" not in result.err and "markdownify" not in result.err
    body = (ws / "journal" / "2021-04-09-ch1.md").read_text(encoding="utf-8")
    assert '<div class="notice--info">\n\n**요약**\n\n* 테이블은 행과 열.\n\n</div>' in body
    assert "notice-2" not in body and "{% capture unused %}x{% endcapture %}" in body
    assert run(ws, "build").code == 0
    page = (ws / "site" / "2021" / "04" / "09" / "ch1" / "index.html").read_text(encoding="utf-8")
    assert '<div class="notice--info">\n<p><strong>요약</strong></p>\n<ul>\n<li>테이블은 행과 열.</li>' in page
    assert "{% include sidebar.html %}" in page  # left as text, and shown


def test_a_jekyll_post_without_categories_keeps_its_address(tmp_path, run):
    """Jekyll's default permalink starts with /:categories; with none the address is
    /2019/04/27/x.html (`//2019/...` was read as a URL of the host `2019`)."""
    result, ws = import_jekyll_posts(tmp_path, run, {
        "_posts/2019-04-27-lr004.md": "---\ntitle: 회귀\n---\n본문.\n",
        "_posts/2019-05-01-next.md": "---\ntitle: 다음\n---\n[앞 글](/2019/04/27/lr004.html)\n",
    }, config=MINIMAL_CONFIG)
    assert result.code == 0
    first = (ws / "journal" / "2019" / "2019-04-27-lr004.md").read_text(encoding="utf-8")
    assert '\nredirect_from:\n  - "/2019/04/27/lr004.html"\n' in first
    assert "[앞 글](2019-04-27-lr004.md)" in (ws / "journal" / "2019" / "2019-05-01-next.md").read_text(encoding="utf-8")


def test_a_chirpy_posts_preview_picture_and_a_minimal_mistakes_author_are_kept(tmp_path, run):
    """Chirpy's `image: {path: ...}` was dropped (72 posts of a corpus lost their link
    previews), and minimal-mistakes' `author: {name: ...}` and Chirpy's `pin: true` too."""
    result, ws = import_jekyll_posts(tmp_path, run, {
        "_posts/2025-07-21-wbf.md": "---\ntitle: WBF\nimage:\n  path: https://example.org/wbf.png\n  alt: 썸네일\n"
                                    "author:\n  name: 전수현\npin: true\n---\n본문.\n",
        "_posts/2025-07-22-next.md": "---\ntitle: next\npin: false\n---\n본문.\n",
    }, config=MINIMAL_CONFIG)
    assert result.code == 0 and "image" not in result.out.split("dropped:")[-1]
    text = (ws / "journal" / "2025" / "2025-07-21-wbf.md").read_text(encoding="utf-8")
    assert '\nimage: "https://example.org/wbf.png"\n' in text and '\nauthors: ["전수현"]\n' in text
    assert "\npin: true\n" in text and "pin" not in (ws / "journal/2025/2025-07-22-next.md").read_text(encoding="utf-8")


def test_dry_run_writes_nothing_and_a_clash_is_skipped_unless_forced(tmp_path, run):
    src = write_files(tmp_path / "old", {k: v for k, v in JEKYLL.items() if "broken" not in k})
    ws = tmp_path / "ws"
    make_workspace(ws, {}, config=ATTR_CONFIG)
    dry = run(ws, "import", "jekyll", str(src), "--dry-run")
    assert dry.code == 0 and "would import 3 posts" in dry.out
    assert "would write journal/2024-03-05-first-day.md  ← _posts/2024-03-05-first-day.md" in dry.out
    assert not (ws / "journal").exists() and not (ws / ".tilbook").exists()

    assert run(ws, "import", "jekyll", str(src)).code == 0
    mine = ws / "journal" / "2024-03-06-second.md"
    mine.write_text("---\ntitle: Second, edited by me\n---\nmy words\n", encoding="utf-8")
    again = run(ws, "import", "jekyll", str(src))
    assert again.code == 0 and "imported 0 posts" in again.out and "3 skipped" in again.out
    assert "skipped _posts/2024-03-06-second.md: journal/2024-03-06-second.md exists" in again.err
    assert mine.read_text(encoding="utf-8").endswith("my words\n")

    forced = run(ws, "import", "jekyll", str(src), "--force")
    assert forced.code == 0 and "imported 3 posts" in forced.out
    assert "title: \"Second\"" in mine.read_text(encoding="utf-8")
    backups = list((ws / ".tilbook" / "import-backup").rglob("2024-03-06-second.md"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8").endswith("my words\n")


# --- Hugo, Zola, MkDocs, written here -----------------------------------------------------


def test_hugo_bundles_shortcodes_and_addresses(tmp_path, run):
    src = write_files(tmp_path / "site", {
        "hugo.toml": 'baseURL = "https://hugo.example.com/"\n[permalinks]\nposts = "/:year/:month/:slug/"\n',
        "content/posts/my-bundle/index.md": (
            "---\ntitle: 번들 글\ndate: 2023-05-01T21:00:00+09:00\nslug: bundle\naliases: [old-bundle]\n"
            "tags: [hugo]\n---\n"
            '{{< figure src="pic.png" alt="그림" >}}\n\n{{< youtube abc123 >}}\n\n{{< gist user 1 >}}\n'
        ),
        "content/posts/my-bundle/pic.png": b"PNG",
        "content/posts/my-bundle/data.csv": "a,b\n",
        "content/posts/plain.md": (
            '+++\ntitle = "Plain"\ndate = 2023-05-02\nurl = "/custom/plain/"\ndraft = true\n+++\n'
            'See [the bundle]({{< ref "my-bundle/index.md" >}}) and [again]({{< relref "/posts/my-bundle" >}}).\n'
        ),
        "content/posts/_index.md": "---\ntitle: Posts\n---\n",
    })
    ws = tmp_path / "ws"
    make_workspace(ws, {}, config=ATTR_CONFIG)
    result = run(ws, "import", "hugo", str(src))
    assert result.code == 0 and "imported 2 posts from hugo" in result.out, result.err
    assert "{{< gist user 1 >}}" in result.err and "left as text" in result.err
    bundle = ws / "journal" / "2023-05-01-bundle"
    assert sorted(p.name for p in bundle.iterdir()) == ["data.csv", "index.md", "pic.png"]
    text = (bundle / "index.md").read_text(encoding="utf-8")
    assert "\ndate: 2023-05-01 21:00:00 +0900\n" in text
    assert '  - "/2023/05/bundle/"\n  - "/posts/old-bundle"' in text
    assert "![그림](pic.png)" in text  # beside the entry, as in the bundle
    assert "youtube-nocookie.com/embed/abc123" in text
    assert '\ncategories: ["posts"]' in text  # the section, when the post names none
    plain = (ws / "journal" / "2023-05-02-plain.md").read_text(encoding="utf-8")
    assert "\ndraft: true\n" in plain and '  - "/custom/plain/"' in plain
    assert "[the bundle](2023-05-01-bundle/index.md)" in plain and "[again](2023-05-01-bundle/index.md)" in plain
    assert run(ws, "build", "--strict", "--drafts").code == 0
    page = (ws / "site" / "2023" / "05" / "01" / "bundle" / "index.html").read_text(encoding="utf-8")
    src_attr = re.search(r'<img src="([^"]+)" alt="그림"', page)[1]
    assert (ws / "site" / src_attr.lstrip("/")).read_bytes() == b"PNG"
    assert (ws / "site" / "posts" / "old-bundle" / "index.html").is_file()


def test_zola_taxonomies_internal_links_and_path(tmp_path, run):
    src = write_files(tmp_path / "site", {
        "config.toml": 'base_url = "https://zola.example.org"\n',
        "content/a.md": ('+++\ntitle = "A"\npath = "2022/01/31/a-post"\naliases = ["2022/01/31/a-post.html", "releases/1.88.0"]\n'
                         '[taxonomies]\ntags = ["rust", "러스트"]\n+++\nSee [b](@/team/b.md#details).\n'),
        "content/team/b.md": ('+++\ntitle = "B"\ndate = 2022-02-01\n+++\n## Details 🦀\n\n'
                              "{{ youtube(id=\"xyz\") }}\n\nBack to [a](/2022/01/31/a-post/).\n"),
    })
    ws = tmp_path / "ws"
    make_workspace(ws, {}, config=ATTR_CONFIG)
    assert run(ws, "import", "zola", str(src)).code == 0
    a = (ws / "journal" / "2022-01-31-a-post.md").read_text(encoding="utf-8")
    assert '\ntags: ["rust", "러스트"]' in a
    assert "[b](2022-02-01-b.md#details)" in a  # @/ link, and the anchor is our heading id
    b = (ws / "journal" / "2022-02-01-b.md").read_text(encoding="utf-8")
    assert "[a](2022-01-31-a-post.md)" in b and "embed/xyz" in b and '\ncategories: ["team"]' in b
    assert run(ws, "build", "--strict").code == 0
    assert (ws / "site" / "2022" / "01" / "31" / "a-post.html").is_file()
    # a dotted last segment is a folder with a page, not a file a browser would download
    assert 'http-equiv="refresh"' in (ws / "site" / "releases" / "1.88.0" / "index.html").read_text(encoding="utf-8")


def test_mkdocs_material_blog(tmp_path, run):
    src = write_files(tmp_path / "docs-site", {
        "mkdocs.yml": ("site_name: Old\nsite_url: https://docs.example.net/\nplugins:\n  - search\n  - blog\n"
                       "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"),
        "docs/index.md": "# Home\n",
        "docs/blog/posts/hello.md": ("---\ndate:\n  created: 2024-01-31\n  updated: 2024-02-01\ncategories: [Til]\n"
                                     "authors: [haneul, guest]\n---\n# Hello World\n\nFirst post.\n"),
        # the blog names authors by id; their names are here
        "docs/blog/.authors.yml": "authors:\n  haneul:\n    name: 김하늘\n    avatar: https://example.org/a.png\n",
    })
    ws = tmp_path / "ws"
    make_workspace(ws, {}, config=ATTR_CONFIG)
    assert run(ws, "import", "mkdocs", str(src)).code == 0
    text = (ws / "journal" / "2024-01-31-hello.md").read_text(encoding="utf-8")
    assert "\ndate: 2024-01-31\n" in text and "\nupdated: 2024-02-01\n" in text
    assert 'title: "Hello World"' in text and '\ncategories: ["Til"]' in text
    assert '  - "/blog/2024/01/31/hello-world/"' in text
    assert '\nauthors: ["김하늘", "guest"]\n' in text  # an id the file does not name stays as written


@pytest.mark.parametrize("kind", ["jekyll", "mkdocs", "hugo"])
def test_an_old_sites_pages_come_along_as_pages_and_its_theme_made_lists_stay(tmp_path, run, kind):
    """An About page was left behind without a word; a list the old theme made (a page
    with no text, or Liquid's loop over the posts) has nothing to bring: it is named."""
    about = "---\ntitle: 소개\n{extra}---\n\n밤마다 공부합니다.\n"
    files = {
        "jekyll": {"_config.yml": "permalink: pretty\n", "_posts/2026-11-01-first.md": "---\ntitle: First\n---\nPost.\n",
                   "about.md": about.format(extra="layout: single\n"),
                   "_pages/now.md": about.format(extra="layout: page\npermalink: /now.html\n").replace("소개", "Now"),
                   "_pages/category-archive.md": "---\nlayout: categories\npermalink: /categories/\n---\n",
                   "archive.md": "---\nlayout: page\n---\n{% for post in site.posts %}{{ post.title }}{% endfor %}\n",
                   "index.md": "---\nlayout: home\n---\n", "README.md": "# my blog\n"},
        "mkdocs": {"mkdocs.yml": "site_name: Old\nplugins:\n  - blog\n", "docs/index.md": "# Home\n\nHello.\n",
                   "docs/blog/index.md": "# Blog\n",
                   "docs/blog/posts/first.md": "---\ndate: 2026-11-01\n---\n# First\n\nPost.\n",
                   "docs/about.md": about.format(extra=""), "docs/now/index.md": "# Now\n\n밤마다 공부합니다.\n"},
        "hugo": {"hugo.toml": 'baseURL = "https://x.org/"\n', "content/posts/first.md": "---\ntitle: First\ndate: 2026-11-01\n---\nPost.\n",
                 "content/about.md": about.format(extra=""), "content/now.md": about.format(extra="url: /now.html\n").replace("소개", "Now"),
                 "content/dated.md": "---\ntitle: Dated\ndate: 2026-11-02\n---\nA post at the top.\n"},
    }[kind]
    src = write_files(tmp_path / "old", files)
    ws = tmp_path / "ws"
    make_workspace(ws, {})
    result = run(ws, "import", kind, str(src))
    assert result.code == 0, result.err
    posts = 2 if kind == "hugo" else 1
    assert f"imported {posts} post{'s' if posts > 1 else ''} and 2 pages from {kind}" in result.out
    if kind == "jekyll":
        assert result.err.count("a page with no text of its own") == 2
        assert "left _pages/category-archive.md" in result.err and "left archive.md" in result.err
    about_text = (ws / "journal" / "about.md").read_text(encoding="utf-8")
    assert about_text.startswith('---\ntitle: "소개"\npage: true\n') and "date:" not in about_text
    assert "redirect_from" not in about_text  # it is at /about/ again
    now_text = (ws / "journal" / "now.md").read_text(encoding="utf-8")
    assert ('redirect_from:\n  - "/now.html"' in now_text) == (kind != "mkdocs")
    assert run(ws, "build", "--strict").code == 0
    site = ws / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="/about/">소개</a>' in home and 'href="/now/">Now</a>' in home
    assert "밤마다 공부합니다." in (site / "about" / "index.html").read_text(encoding="utf-8")
    if kind != "mkdocs":
        assert 'http-equiv="refresh"' in (site / "now.html").read_text(encoding="utf-8")
    assert len(load_journal(load_config(ws / "mkdocs.yml")).entries) == posts


def test_redirect_that_clashes_with_a_page_is_a_warning_not_an_overwrite(tmp_path, run):
    make_workspace(tmp_path, {
        "2024-01-01-a.md": "---\ntitle: A\n---\nA.\n",
        "2024-01-02-b.md": "---\ntitle: B\nredirect_from: [/2024/01/01/a/, /tags/]\n---\nB.\n",
    })
    result = run(tmp_path, "build")
    assert result.code == 0
    assert result.err.count("no redirect written") == 2
    assert "A." in (tmp_path / "site" / "2024" / "01" / "01" / "a" / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' not in (tmp_path / "site" / "tags" / "index.html").read_text(encoding="utf-8")


def test_a_folder_with_no_posts_is_a_usage_error(tmp_path, run):
    make_workspace(tmp_path / "ws", {})
    (tmp_path / "empty").mkdir()
    result = run(tmp_path / "ws", "import", "hugo", str(tmp_path / "empty"))
    assert result.code == 2 and "no posts found" in result.err and "content/" in result.err


def test_source_is_never_modified(tmp_path, run):
    src = write_files(tmp_path / "old", {k: v for k, v in JEKYLL.items() if "broken" not in k})
    before = {p: p.read_bytes() for p in Path(src).rglob("*") if p.is_file()}
    make_workspace(tmp_path / "ws", {}, config=ATTR_CONFIG)
    assert run(tmp_path / "ws", "import", "jekyll", str(src / "_posts")).code == 0  # _posts itself works too
    assert {p: p.read_bytes() for p in Path(src).rglob("*") if p.is_file()} == before


# --- properties ------------------------------------------------------------------------

_PIECES = st.sampled_from([
    "텐서", "word", " ", " ", "\n", "\n\n", "[", "]", "(", ")", "![", "](", "`", "```\n", "{{ site.baseurl }}",
    "{% raw %}", "{% endraw %}", "{: .note}", "{%", "%}", "#", "## ", "<img src=\"a b.png\">", "../images/x.png",
    "https://old.example.org/2020/01/01/a.html", "@/a.md", "%", "\\", "~~~\n", "- ", "{{< youtube x >}}",
    "<pre>", "</pre>", "    ", '<div markdown="1">', "</div>", "{% capture n %}", "{% endcapture %}",
    "{{ n | markdownify }}",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example("텐서{{ site.baseurl }}텐서", "jekyll", False)
@given(st.lists(_PIECES, max_size=40).map("".join), st.sampled_from(["jekyll", "hugo", "zola", "mkdocs"]),
       st.booleans())
def test_conversion_never_drops_prose(tmp_path, body, kind, attr_list):
    site = SourceSite(kind, tmp_path, tmp_path, (tmp_path,), "https://old.example.org")  # type: ignore[arg-type]
    post = SourcePost(tmp_path / "_posts" / "2020-01-01-a.md", "_posts/2020-01-01-a.md", "")
    targets = Targets({"/2020/01/01/a": "2020-01-01-a.md"}, {}, {"2020-01-01-a": "2020-01-01-a.md"})
    out = convert_body(body, site=site, post=post, new_rel="2020-01-01-a.md", targets=targets,
                       old_address="/2020/01/01/a.html", yaml_front_matter=True, attr_list=attr_list)
    # The content check's own rule (see lost_words): a word may end up inside a longer run,
    # as `텐서{{ site.baseurl }}텐서` becomes `텐서텐서` when the base path is empty.
    text = unicodedata.normalize("NFC", out.body).casefold()
    assert {w for w in prose_words(body) if w not in text} <= {"x"}  # a YouTube id becomes an embed's address
    assert out.body.count("\n") >= body.count("\n") - body.count("{% highlight")  # lines keep their numbers


@given(st.text(alphabet="abc-가나", min_size=1, max_size=12))
def test_an_anchor_that_exists_is_matched_to_itself(frag):
    assert match_anchor(frag, [frag, "other"]) == frag


def test_windows_and_macos_files_import_clean(tmp_path, run):
    """A post saved by Notepad (BOM, CRLF) and one named on a Mac (NFD Hangul) read like any other."""
    nfd_name = unicodedata.normalize("NFD", "_posts/2024-05-01-파이토치.md")
    src = write_files(tmp_path / "old", {
        "_posts/2024-04-30-windows.md": "\ufeff---\r\ntitle: 윈도우에서\r\ntags: [메모장]\r\n---\r\n줄 끝이 CRLF.\r\n",
        nfd_name: "---\ntitle: 맥에서\n---\n[앞 글]({% post_url 2024-04-30-windows %})\n",
    })
    ws = tmp_path / "ws"
    make_workspace(ws, {}, config=ATTR_CONFIG)
    assert run(ws, "import", "jekyll", str(src)).code == 0
    windows = (ws / "journal" / "2024-04-30-windows.md").read_bytes()
    assert b"\r" not in windows and not windows.startswith(b"\xef\xbb\xbf")
    assert 'title: "윈도우에서"' in windows.decode("utf-8")
    mac = ws / "journal" / "2024-05-01-파이토치.md"  # NFC on disk, as every entry
    assert mac.is_file() and "[앞 글](2024-04-30-windows.md)" in mac.read_text(encoding="utf-8")
