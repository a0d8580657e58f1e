"""tilbook build on real workspaces: pages, URLs, feeds, safety, incremental exactness."""

import datetime as dt
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from unittest import mock
from urllib.parse import unquote

import pytest

from tests.conftest import CORPORA, copy_example, make_workspace, write_files
from tilbook.config import load_config
from tilbook.errors import BuildError, ConfigError
from tilbook.site.build import build_site

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    root = copy_example(tmp_path_factory.mktemp("example"))
    config = load_config(root / "mkdocs.yml")
    # The frozen notebook runs are committed and fresh: this build starts no kernel (a
    # stale one would be a warning, and the test below wants none).
    result = build_site(config, now=NOW, execute=False)
    return config, result, root / "site"


def test_example_site_has_every_page(example):
    config, result, site = example
    assert not result.noop and result.entries == 14 and result.warnings == ()
    for page in ["index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "tags/index.html",
                 "categories/index.html", "archive/index.html", "archive/2026/index.html", "heatmap/index.html",
                 "todo/index.html", "page/2/index.html", "tags/gan/index.html", "tags/오토인코더/index.html",
                 "2026/11/04/conv-autoencoder/index.html", "assets/tilbook.css", "assets/katex/katex.min.js",
                 "about/index.html"]:
        assert (site / page).is_file(), page
    assert not (site / "page" / "3").exists()


def test_links_are_encoded_and_under_the_base_path(example):
    _, _, site = example
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="/nightly-dl/tags/%EC%98%A4%ED%86%A0%EC%9D%B8%EC%BD%94%EB%8D%94/"' in home
    assert 'href="/nightly-dl/assets/tilbook.css"' in home
    # a card whose excerpt has math shows it typeset: KaTeX loads on that page of cards only
    assert '생성자 <span class="math inline">\\(G\\)</span>와' in home and "katex.min.js" in home
    assert "katex" not in (site / "page/2/index.html").read_text(encoding="utf-8")
    for link in __import__("re").findall(r'href="(/nightly-dl/[^"#]*)"', home):
        target = site / unquote(link[len("/nightly-dl/"):])
        assert (target / "index.html").is_file() or target.is_file(), link


def test_entry_page(example):
    _, _, site = example
    page = (site / "2026/11/04/conv-autoencoder/index.html").read_text(encoding="utf-8")
    assert "<h1>Conv autoencoder: how small can the latent get?</h1>" in page
    assert '<time datetime="2026-11-04T23:30:00+09:00">2026년 11월 4일</time>' in page
    assert '<h2 id="what-i-learned">What I learned <a class="header-anchor" href="#what-i-learned">¶</a></h2>' in page
    assert '<div class="math block">' in page and "katex.min.js" in page
    assert 'rel="prev" href="/nightly-dl/2026/11/03/linear-autoencoder/"' in page
    assert 'rel="next" href="/nightly-dl/2026/11/05/numpy-abi/"' in page
    assert "합성곱 오토인코더로 바꿔보기" in page and "이어받은 할 일" in page
    nested = (site / "2026/11/26/conditional-gan/index.html").read_text(encoding="utf-8")
    toc = nested[nested.index('<nav class="toc"'):nested.index("</nav>", nested.index('<nav class="toc"'))]
    # the two h3s of "내일 할 일" are a list inside its item, not items numbered 4 and 5 beside it
    assert re.search(r'>내일 할 일</a><ol><li class="toc-l3"><a [^>]+>조건부 GAN 실습</a></li>'
                     r'<li class="toc-l3"><a [^>]+>정리</a></li></ol></li></ol>', toc), toc
    plain = (site / "2026/11/10/dead-kernel/index.html").read_text(encoding="utf-8")
    assert "katex" not in plain  # math assets only where there is math
    assert '<pre class="highlight"><code class="language-bash">' in plain


def test_heatmap_and_streaks(example):
    _, _, site = example
    page = (site / "heatmap/index.html").read_text(encoding="utf-8")
    assert page.count('data-count="1"') == 14
    assert 'data-date="2026-11-14"' in page  # the entry without front matter, dated by its name
    assert "최장 연속 <strong>4일</strong>" in page and "현재 연속 <strong>1일</strong>" in page


def test_counts_of_one_are_singular_in_english(tmp_path):
    config = make_workspace(tmp_path, {
        "2026/2026-11-20-a.md": "---\ntitle: A\ntags: [solo]\n---\n## 내일 할 일\n- [ ] 하나\n",
        "2026/2026-11-22-b.md": "---\ntitle: B\ntags: [pair, solo2]\n---\nb\n",
        "2026/2026-11-23-c.md": "---\ntitle: C\ntags: [pair]\n---\nc\n",
    })
    build_site(config, now=dt.datetime(2026, 11, 24, 9, 0, tzinfo=config.tilbook.timezone))
    site = tmp_path / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Current streak <strong>2 days</strong>" in home and "Longest streak <strong>2 days</strong>" in home
    assert "<strong>3 days</strong>" in (site / "heatmap/index.html").read_text(encoding="utf-8")
    assert ">1 entry<" in (site / "tags/solo/index.html").read_text(encoding="utf-8")
    assert ">2 entries<" in (site / "tags/pair/index.html").read_text(encoding="utf-8")
    assert "4 days open" in (site / "todo/index.html").read_text(encoding="utf-8")
    build_site(config, now=dt.datetime(2026, 11, 21, 9, 0, tzinfo=config.tilbook.timezone), drafts=True)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Current streak <strong>1 day</strong>" in home and "1 days" not in home
    assert "1 day open" in (site / "todo/index.html").read_text(encoding="utf-8")
    build_site(config, now=dt.datetime(2026, 11, 20, 21, 0, tzinfo=config.tilbook.timezone))
    todo = (site / "todo/index.html").read_text(encoding="utf-8")
    assert "new today" in todo and "0 days" not in todo  # written down this evening
    config = make_workspace(tmp_path / "ko", {"2026-11-20-a.md": "---\ntitle: A\n---\n## 내일 할 일\n- [ ] 하나\n"},
                            config="site_name: 한국어\ntheme:\n  language: ko\ntilbook:\n  timezone: Asia/Seoul\n")
    build_site(config, now=dt.datetime(2026, 11, 20, 21, 0, tzinfo=config.tilbook.timezone))
    assert "오늘 추가" in (tmp_path / "ko/site/todo/index.html").read_text(encoding="utf-8")


def test_bold_right_before_a_korean_particle(example):
    """`**레이블 평활화(label smoothing)**가`: bold, as the writer meant (see journal/emphasis.py)."""
    _, _, site = example
    page = (site / "2026/11/19/mode-collapse/index.html").read_text(encoding="utf-8")
    assert "<strong>레이블 평활화(label smoothing)</strong>가 제일" in page and "**" not in page


def test_todo_page_lists_open_items_with_age_and_where_they_stand(example):
    _, _, site = example
    page = (site / "todo/index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr.*?</tr>", page, re.S)
    assert re.findall(r'<th scope="col">([^<]+)</th>', rows[0]) == ["남은 할 일", "처음 나온 날", "상태"]
    assert len(rows) == 8  # the seven items left open by the last entry
    assert '<td>판별자 정확도도 같이 기록하기</td><td><time datetime="2026-11-19">' in rows[1]
    # 2026-11-19 → 11-27: eight days (an ordinal "8일째" said one day less than it meant)
    assert "8일 경과 · <strong>기한 지남</strong>" in rows[1]
    goal = next(row for row in rows if "자동화하기" in row)  # a goal of the retrospective, due at the month's end
    assert '<span class="deadline">2026-12-31까지 (34일 남음)</span>' in goal and "기한 지남" not in goal


def test_the_todo_page_shows_a_goals_deadline_and_days_left(tmp_path):
    config = make_workspace(tmp_path, {
        "2026-11-20-a.md": "## 목표\n- [ ] GAN 끝내기 (2026-12-15까지)\n- [ ] 논문 (2026-11-26까지)\n- [ ] 오늘 (2026-11-27까지)\n",
    }, config="site_name: x\ntheme:\n  language: ko\ntilbook:\n  timezone: Asia/Seoul\n")
    build_site(config, now=NOW)  # 2026-11-27 in Seoul
    page = (tmp_path / "site/todo/index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr( class=\"overdue\")?><td>([^<]*)</td>.*?</tr>", page)
    assert [(text, bool(late)) for late, text in rows] == [("GAN 끝내기", False), ("논문", True), ("오늘", False)]
    assert '<span class="deadline">2026-12-15까지 (18일 남음)</span>' in page
    assert '<span class="deadline">2026-11-26까지</span> · <strong>기한 지남</strong>' in page
    assert '<span class="deadline">2026-11-27까지 (오늘까지)</span>' in page


def test_todo_items_show_their_markdown_rendered(tmp_path):
    """A todo item is written in Markdown: its code spans and bold show as such, never their
    backticks; raw HTML in it is text."""
    config = make_workspace(tmp_path, {
        "2026/2026-11-20-a.md": "---\ntitle: A\n---\n## 내일 할 일\n- `torch.compile` 써 보기\n"
                                "- **레이블 평활화(label smoothing)**로 다시 <b>x</b>\n",
        "2026/2026-11-21-b.md": "---\ntitle: B\n---\n## 오늘 할 일\n- [ ] `torch.compile` 써 보기 (2026-11-20부터)\n"
                                "- [ ] **레이블 평활화(label smoothing)**로 다시 <b>x</b> (2026-11-20부터)\n",
    })
    build_site(config, now=dt.datetime(2026, 11, 22, 9, 0, tzinfo=config.tilbook.timezone))
    todo = (tmp_path / "site/todo/index.html").read_text(encoding="utf-8")
    assert "<td><code>torch.compile</code> 써 보기</td>" in todo
    assert "<td><strong>레이블 평활화(label smoothing)</strong>로 다시 &lt;b&gt;x&lt;/b&gt;</td>" in todo
    a = (tmp_path / "site/2026/11/20/a/index.html").read_text(encoding="utf-8")
    assert "<li><code>torch.compile</code> 써 보기</li>" in a.split('class="todos"')[1]
    b = (tmp_path / "site/2026/11/21/b/index.html").read_text(encoding="utf-8")
    assert "<li><code>torch.compile</code> 써 보기 <span class=\"meta\">" in b.split('class="todos"')[1]
    assert "`" not in todo + a.split('class="todos"')[1] + b.split('class="todos"')[1]


def test_inline_markdown_keeps_web_links_and_drops_journal_ones():
    """A todo item's link to another entry's file cannot be resolved on the todo page: its
    text stays, without a link that would lead nowhere."""
    from tilbook.site.render import inline_markdown

    html = inline_markdown("[어제 글](2026-11-20.md) 다시 읽기, [문서](https://pytorch.org) 보기 <https://a.b>")
    assert html == ('어제 글 다시 읽기, <a href="https://pytorch.org">문서</a> 보기 '
                    '<a href="https://a.b">https://a.b</a>')


def test_feed_and_sitemap_are_valid_xml(example):
    _, _, site = example
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 14
    assert entries[0].find("a:link", ns).get("href") == "https://example.github.io/nightly-dl/2026/11/26/conditional-gan/"
    content = entries[0].find("a:content", ns).text
    assert "<h2" in content
    assert 'href="#' not in content  # (see test_units: fragments name the entry's page)
    # the ¶ after each heading shows on hover on the page; a feed reader would show all of them
    assert "¶" not in content and '<h2 id="오늘-할-일">오늘 할 일</h2>' in content
    page = (site / "2026/11/26/conditional-gan/index.html").read_text(encoding="utf-8")
    assert '<h2 id="오늘-할-일">오늘 할 일 <a class="header-anchor" href="#오늘-할-일">¶</a></h2>' in page
    urls = [u.text for u in ET.parse(site / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.github.io/nightly-dl/2026/11/04/conv-autoencoder/" in urls
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert ("<url><loc>https://example.github.io/nightly-dl/2026/11/04/conv-autoencoder/</loc>"
            "<lastmod>2026-11-04T23:30:00+09:00</lastmod></url>") in sitemap
    assert "<url><loc>https://example.github.io/nightly-dl/tags/</loc></url>" in sitemap  # list pages: none


def test_a_warm_process_trusts_the_site_it_published_until_the_folder_is_replaced(tmp_path):
    """`serve` (caches kept in memory) does not look for each of the thousands of files of
    its own site folder at every save; a folder replaced since (removed and built again by
    someone else, or restored from elsewhere) is looked at file by file as a one-shot build does."""
    from tilbook.site.build import CacheFiles

    config = make_workspace(tmp_path, {"2026-11-01.md": "# 하나\n\n본문\n", "2026-11-02.md": "# 둘\n\n본문\n"})
    caches = CacheFiles(tmp_path / ".tilbook" / "cache", keep=True)
    site = config.site_dir
    build_site(config, now=NOW, caches=caches)
    page = site / "2026" / "11" / "01" / "하나" / "index.html"
    assert page.is_file()
    looked = []
    real_isfile = os.path.isfile

    def isfile(path):
        looked.append(str(path))
        return real_isfile(path)

    with mock.patch("os.path.isfile", isfile):
        assert build_site(config, now=NOW, caches=caches).noop
    assert not any(str(site) in p for p in looked)  # trusted: nothing looked at
    moved = tmp_path / "elsewhere"
    shutil.copytree(site, moved)
    shutil.rmtree(site)
    (moved / "2026" / "11" / "01" / "하나" / "index.html").unlink()
    moved.rename(site)  # a new folder at the same place, one page short
    again = build_site(config, now=NOW, caches=caches)
    assert not again.noop and "2026/11/01/하나/index.html" in again.changed and page.is_file()


def test_noop_rebuild_and_one_edit(example):
    config, _, site = example
    again = build_site(config, now=NOW)
    assert again.noop and again.written == 0
    (site / "tags" / "gan" / "index.html").unlink()  # a page removed by hand comes back
    restored = build_site(config, now=NOW)
    assert not restored.noop and restored.written == 1 and (site / "tags" / "gan" / "index.html").is_file()
    entry = config.docs_dir / "2026" / "2026-11-10-dead-kernel.md"
    original = entry.read_bytes()
    try:
        entry.write_bytes(original.replace(b"Lesson:", b"The lesson:"))
        edited = build_site(config, now=NOW)
        assert not edited.noop
        pages = [p for p in edited.changed if not p.startswith("pagefind/")]
        assert 0 < len(pages) <= 4  # the entry page, the home page that shows it, feed... not the rest
        assert any(p.startswith("pagefind/") for p in edited.changed)  # its text is searched anew
        assert b"The lesson:" in (site / "2026/11/10/dead-kernel/index.html").read_bytes()
    finally:
        entry.write_bytes(original)
        build_site(config, now=NOW)


def _count_hashing(monkeypatch) -> list[str]:
    import tilbook.site.build as build

    read: list[str] = []
    real = build._hash_file
    monkeypatch.setattr(build, "_hash_file", lambda path: read.append(Path(path).name) or real(path))
    return read


def test_unchanged_files_are_not_reread_but_every_rewrite_is_seen(tmp_path, monkeypatch):
    import tilbook.site.build as build

    config = make_workspace(tmp_path, {"2026-11-01-a.md": "---\ntitle: first\n---\nalpha\n",
                                       "2026-11-02-b.md": "---\ntitle: second\n---\nbeta\n"})
    build_site(config, now=NOW)
    read = _count_hashing(monkeypatch)
    # Files written just now are "racily clean": their stat is not trusted, they are re-read.
    assert build_site(config, now=NOW).noop and sorted(read) == ["2026-11-01-a.md", "2026-11-02-b.md"]
    monkeypatch.setattr(build, "RACY_NS", 0)  # as if the files were old
    read.clear()
    assert build_site(config, now=NOW).noop and read == []
    # Same size, same mtime put back (as some sync tools and `touch -d` do): ctime still moves.
    entry = tmp_path / "journal" / "2026-11-01-a.md"
    before = entry.stat()
    entry.write_text("---\ntitle: first\n---\nALPHA\n", encoding="utf-8")
    os.utime(entry, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert entry.stat().st_size == before.st_size and entry.stat().st_mtime_ns == before.st_mtime_ns
    result = build_site(config, now=NOW)
    assert not result.noop and read == ["2026-11-01-a.md"]
    assert "ALPHA" in (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")


def test_failed_build_leaves_the_previous_site(tmp_path):
    config = make_workspace(tmp_path, {"2026-11-01-a.md": "---\ntitle: fine\n---\nok\n"})
    build_site(config, now=NOW)
    before = tree(tmp_path / "site")
    write_files(tmp_path, {"journal/2026-11-02-b.md": "---\ntitle: [broken\n---\n",
                           "journal/2026-11-03-c.md": "---\ndate: 2026-02-30\n---\n"})
    with pytest.raises(BuildError) as info:
        build_site(config, now=NOW)
    assert [p.path for p in info.value.problems] == ["journal/2026-11-02-b.md", "journal/2026-11-03-c.md"]
    assert tree(tmp_path / "site") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_staged_files_publish_into_new_and_old_folders_and_leave_nothing_beside(tmp_path):
    """An incremental build stages its files flat (names hashed from their paths) and moves
    each into place, making a new page's folders; a failed one leaves nothing staged."""
    from tilbook.site.write import Staging

    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a/old.html").write_text("old", encoding="utf-8")
    staging = Staging(site, full=False)
    staging.write("a/old.html", b"new")
    staging.write("b/c/새 글/index.html", "글".encode())
    assert sorted(p.name for p in staging.folder.iterdir()) == sorted(
        Path(staging.staged(p)).name for p in ("a/old.html", "b/c/새 글/index.html"))  # no folders made there
    staging.publish(stale=["a/gone.html"])
    assert tree(site) == {"a/old.html": b"new", "b/c/새 글/index.html": "글".encode()}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    staging = Staging(site, full=False)
    staging.write("d/e.html", b"x")
    staging.discard()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")] and not (site / "d").exists()
    with pytest.raises(BuildError, match="outside the site folder"):
        Staging(site, full=False).staged("../x.html")


def test_drafts_and_future_entries(tmp_path):
    config = make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: public\n---\n",
        "2026-11-02-b.md": "---\ntitle: secret\ndraft: true\n---\n",
        "2027-01-01-c.md": "---\ntitle: later\n---\n",
    })
    build_site(config, now=NOW)
    assert not (tmp_path / "site/2026/11/02/b").exists() and not (tmp_path / "site/2027").exists()
    build_site(config, now=NOW, drafts=True)
    assert 'class="badge">draft</span>' in (tmp_path / "site/2026/11/02/b/index.html").read_text(encoding="utf-8")
    assert (tmp_path / "site/2027/01/01/c/index.html").is_file()


def test_jekyll_leftovers_and_links_between_entries(tmp_path):
    config = make_workspace(tmp_path, {
        "2026-11-01-first.md": "---\ntitle: first\n---\n## 파이토치 텐서\n",
        "2026-11-02-second.md": (
            "---\ntitle: second\n---\n"
            "![shot]({{ site.baseurl }}/images/a.png)\n\n"
            "{% raw %}{{ kept }}{% endraw %}\n\n"
            "{% highlight python %}\nx = {'a': 1}\n{% endhighlight %}\n\n"
            "[prev]({% post_url 2026-11-01-first %}) and [same](2026-11-01-first.md#파이토치-텐서)\n\n"
            "Important.\n{: .notice--info}\n\n"
            "{% include sidebar.html %}\n\n"
            '{% include video id="VYOjWnS4cMY" provider="youtube" %}\n'
        ),
        "images/a.png": b"\x89PNG",
    }, config="site_name: x\nsite_url: https://me.github.io/til/\ntilbook:\n  timezone: Asia/Seoul\n")
    result = build_site(config, now=NOW)
    page = (tmp_path / "site/2026/11/02/second/index.html").read_text(encoding="utf-8")
    assert '<img src="/til/images/a.png" alt="shot" />' in page
    assert "<p>{{ kept }}</p>" in page
    assert '<pre class="highlight"><code class="language-python">' in page
    assert '<a href="/til/2026/11/01/first/">prev</a>' in page
    assert '<a href="/til/2026/11/01/first/#%ED%8C%8C%EC%9D%B4%ED%86%A0%EC%B9%98-%ED%85%90%EC%84%9C">same</a>' in page
    assert "{:" not in page and "<p>Important.</p>" in page
    assert "{% include sidebar.html %}" in page
    assert 'src="https://www.youtube-nocookie.com/embed/VYOjWnS4cMY"' in page
    assert [w.format().split("\n")[0] for w in result.warnings] == [
        "journal/2026-11-02-second.md:17: warning: Liquid '{% include sidebar.html %}' is left as text"
    ]
    assert (tmp_path / "site/images/a.png").read_bytes() == b"\x89PNG"


def test_strict_fails_on_broken_links(tmp_path):
    config = make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: a\n---\n[gone](2026-10-01-nothing.md) [anchor](#nope) ![img](missing.png)\n",
    })
    result = build_site(config, now=NOW)
    assert any("missing.png" in w.message for w in result.warnings)
    with pytest.raises(BuildError) as info:
        build_site(config, now=NOW, strict=True)
    messages = [p.message for p in info.value.problems]
    assert any("missing.png" in m for m in messages)
    assert any("'2026-10-01-nothing.md'" in m for m in messages)
    assert any("broken anchor" in m and "nope" in m for m in messages)


def test_permalink_cannot_leave_the_site(tmp_path):
    with pytest.raises(ConfigError) as info:
        make_workspace(tmp_path, config="site_name: x\ntilbook:\n  permalink: /../../{slug}/\n")
    assert info.value.problem.format().startswith("mkdocs.yml:3: tilbook.permalink: '/../../{slug}/' may not contain '..'")


def test_an_entry_with_the_address_of_a_page_of_the_site_is_an_error_not_a_page_lost(tmp_path, run):
    """With a permalink pattern of `/{slug}/` an entry slugged `tags` has the list of tags'
    address: one page silently replaced the other ("30 of 29 files written")."""
    config = make_workspace(tmp_path, {"a.md": "---\ntitle: A\ndate: 2026-11-01\ntags: [gan]\n---\nx\n",
                                       "b.md": "---\ntitle: B\ndate: 2026-11-02\nslug: b\n---\ny\n"},
                            config='site_name: x\ntilbook:\n  permalink: "/{slug}/"\n')
    build_site(config, now=NOW)
    before = tree(tmp_path / "site")
    write_files(tmp_path, {"journal/b.md": "---\ntitle: B\ndate: 2026-11-02\nslug: tags\n---\ny\n",
                           "journal/c.md": "---\ntitle: C\ndate: 2026-11-03\ncategories: [tags]\nslug: gan\n---\nz\n"})
    (tmp_path / "mkdocs.yml").write_text('site_name: x\ntilbook:\n  permalink: "/{category}/{slug}/"\n', encoding="utf-8")
    with pytest.raises(BuildError) as info:
        build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW)
    assert [p.format().splitlines()[0] for p in info.value.problems] == [  # every clash at once
        "journal/b.md:4: front matter 'slug': this entry's address /tags/ is also that of the site's list of tags; "
        "one page would replace the other",
        "journal/c.md:5: front matter 'slug': this entry's address /tags/gan/ is also that of the site's "
        "page of the tag 'gan'; one page would replace the other"]
    assert tree(tmp_path / "site") == before  # the last good site stays
    (tmp_path / "mkdocs.yml").write_text('site_name: x\ntilbook:\n  permalink: "/{slug}/"\n', encoding="utf-8")
    done = run(tmp_path, "check")
    assert done.code == 1
    assert "journal/b.md:4: front matter 'slug': this entry's address /tags/ is also that of the site's list of tags" in done.err
    assert "hint: give the entry another slug" in done.err
    done = run(tmp_path, "build")
    assert done.code == 1 and "journal/b.md:4:" in done.err and tree(tmp_path / "site") == before


def test_an_entry_s_own_permalink_is_where_it_is_published_and_linked(tmp_path):
    config = make_workspace(tmp_path, {
        "about.md": "---\ntitle: 소개\ndate: 2026-11-01\npermalink: /소개\n---\n[노트](2026-11-02-note.md)를 보세요.\n",
        "2026-11-02-note.md": "---\ntitle: Note\npermalink: /notes/{year}/{slug}.html\n---\n[소개](about.md)\n",
        # a slug-made address that an own permalink holds gives way, as between slugs
        "2026-11-03-note.md": "---\ntitle: Note 2\nslug: 소개\npermalink: /{slug}/\n---\nz\n",
    }, config="site_name: x\nsite_url: https://u.github.io/til/\n")
    result = build_site(config, now=NOW)
    site = tmp_path / "site"
    assert (site / "소개/index.html").is_file() and (site / "notes/2026/note.html").is_file()
    assert (site / "소개-2/index.html").is_file()
    assert any("slug '소개' gives the same URL as journal/about.md; this entry uses '소개-2'" in w.message
               for w in result.warnings)
    about = (site / "소개/index.html").read_text(encoding="utf-8")
    assert 'href="/til/notes/2026/note.html"' in about
    assert 'href="/til/%EC%86%8C%EA%B0%9C/"' in (site / "notes/2026/note.html").read_text(encoding="utf-8")
    assert "https://u.github.io/til/%EC%86%8C%EA%B0%9C/" in (site / "sitemap.xml").read_text(encoding="utf-8")
    # two entries that cannot move from one address: an error naming both, the site kept
    before = tree(site)
    write_files(tmp_path, {"journal/again.md": "---\ntitle: Again\ndate: 2026-11-04\npermalink: /소개/\n---\ny\n"})
    with pytest.raises(BuildError) as info:
        build_site(config, now=NOW)
    assert [p.format() for p in info.value.problems] == [
        "journal/again.md:4: front matter 'permalink': '/소개/' is also the address of journal/about.md\n"
        "  hint: give one of the two entries another permalink"]
    assert tree(site) == before


def test_on_a_file_system_blind_to_case_no_page_replaces_another(tmp_path, monkeypatch):
    """An imported post's old address `/2015/04/10/Fearless-Concurrency/` (the Rust blog)
    is its new one but for case. On Linux both are published; on Windows and macOS one
    file would have replaced the other (the entry's page, a redirect to itself)."""
    from tilbook.site.write import folds_case

    entries = {"2015-04-10-fearless.md": "---\ntitle: Fearless\nslug: fearless\nredirect_from:\n"
                                         "  - /2015/04/10/Fearless/\n---\nbody\n",
               "b.md": "---\ntitle: B\ndate: 2015-04-11\npermalink: /Tags/\n---\nx\n"}
    config = make_workspace(tmp_path, entries)
    assert folds_case(tmp_path) is False  # (Linux, where the suite runs)
    # asked of the folder's name in the other case, and without writing (`check` writes nothing)
    import tilbook.site.write as write

    write._FOLDS_CASE.clear()
    fooled = tmp_path / "Fooled"
    fooled.mkdir()
    (tmp_path / "fOOLED").symlink_to(fooled)  # a link by that name is another file, not this folder
    with monkeypatch.context() as patch:
        patch.setattr(write.tempfile, "mkstemp", lambda **_: pytest.fail("folds_case wrote a file"))
        assert folds_case(fooled) is False
    result = build_site(config, now=NOW)
    site = tmp_path / "site"
    assert "Fearless" in (site / "2015/04/10/fearless/index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' in (site / "2015/04/10/Fearless/index.html").read_text(encoding="utf-8")
    assert (site / "Tags/index.html").is_file() and (site / "tags/index.html").is_file()
    assert not [w for w in result.warnings if "case" in w.message]

    monkeypatch.setattr("tilbook.site.write.folds_case", lambda folder: True)
    write_files(tmp_path, {"journal/b.md": entries["b.md"].replace("title: B", "title: B2")})
    with pytest.raises(BuildError) as info:
        build_site(config, now=NOW)
    assert [p.format().splitlines()[0] for p in info.value.problems] == [
        "journal/b.md:4: front matter 'permalink': this entry's address /Tags/ is also that of the site's list of tags; "
        "one page would replace the other"]
    (tmp_path / "journal/b.md").unlink()
    result = build_site(config, now=NOW)
    assert [w.format().splitlines()[0] for w in result.warnings] == [
        "journal/2015-04-10-fearless.md:4: warning: front matter 'redirect_from': old address '/2015/04/10/Fearless/' "
        "differs from this entry's address only in upper and lower case, which this computer's file system does not "
        "tell apart; no redirect written"]
    assert not (site / "2015/04/10/Fearless").exists()
    assert "Fearless" in (site / "2015/04/10/fearless/index.html").read_text(encoding="utf-8")


def test_custom_dir_overrides_a_template(tmp_path):
    write_files(tmp_path, {"overrides/404.html": "{% extends 'base.html' %}{% block main %}<p>여기 없어요</p>{% endblock %}"})
    config = make_workspace(tmp_path, {"2026-11-01-a.md": "x"},
                            config="site_name: x\ntheme:\n  custom_dir: overrides\n")
    build_site(config, now=NOW)
    assert "<p>여기 없어요</p>" in (tmp_path / "site/404.html").read_text(encoding="utf-8")
    # edited while the same process builds again (as `serve` does): the new template is used
    write_files(tmp_path, {"overrides/404.html": "{% extends 'base.html' %}{% block main %}<p>고쳤어요</p>{% endblock %}"})
    build_site(config, now=NOW)
    assert "<p>고쳤어요</p>" in (tmp_path / "site/404.html").read_text(encoding="utf-8")


def test_a_todo_template_overridden_before_deadlines_existed_still_builds(tmp_path):
    """theme.custom_dir's todo.html, as users copied it from an earlier tilbook, unpacks six
    values a row: the rows keep their shape, the deadlines are beside them."""
    old_row = ('{% for text, first, age, overdue, link, entry_title in rows %}'
               '<li>{{ text }} {{ age }}{% if overdue %} late{% endif %}</li>{% endfor %}')
    write_files(tmp_path, {"overrides/todo.html": "{% extends 'base.html' %}{% block main %}<ul>" + old_row
                                                   + "</ul>{% endblock %}"})
    config = make_workspace(tmp_path, {"2026-11-20-a.md": "- [ ] GAN 끝내기 (2026-12-15까지)\n- [ ] 정리\n"},
                            config="site_name: x\ntheme:\n  custom_dir: overrides\n")
    build_site(config, now=NOW)
    assert "<ul><li>GAN 끝내기 7</li><li>정리 7 late</li></ul>" in (tmp_path / "site/todo/index.html").read_text(encoding="utf-8")


def test_control_characters_never_reach_the_feed(tmp_path):
    config = make_workspace(tmp_path, {"2026-11-01-a.md": "---\ntitle: t\n---\n- \x08magenta <b>x</b>\x0b\n"})
    build_site(config, now=NOW)
    ET.parse(tmp_path / "site/feed.xml")


def test_edge_workspace_builds(tmp_path):
    """NFD file names, CR line ends, BOMs, TOML, drafts and a slug clash all build."""
    root = tmp_path / "edge"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "edge", root)
    result = build_site(load_config(root / "mkdocs.yml"), now=NOW)
    assert result.entries == 15  # 17 entries less the draft and the `published: False` one
    assert (root / "site/2026/03/03/맥북-한글/index.html").is_file()
    assert (root / "site/2026/03/14/same-2/index.html").is_file()
    assert (root / "site/2021/03/07/서울-아침-캘리포니아-전날-밤/index.html").is_file()  # its day in Seoul


@pytest.mark.parametrize("corpus", sorted(p.name for p in CORPORA.iterdir() if p.is_dir()))
def test_every_corpus_builds(tmp_path, corpus):
    write_files(tmp_path, {"mkdocs.yml": f"site_name: c\ndocs_dir: {CORPORA / corpus}\nsite_dir: {tmp_path / 'site'}\n"
                                         "tilbook:\n  timezone: Asia/Seoul\n"})
    config = load_config(tmp_path / "mkdocs.yml")
    # Posts without a date in front matter or name take their file's mtime (simonw's TILs
    # do): judge "future" against the real clock, not the fixed NOW, or a corpus copied
    # after NOW would be all future posts and vanish.
    result = build_site(config, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1))
    site = tmp_path / "site"
    assert result.entries > 100
    ET.parse(site / "feed.xml")
    for page in (site / "tags").rglob("index.html"):
        assert page.stat().st_size > 0
    if corpus.startswith("teddylee777"):
        assert (site / "2019/11/12/kaggle-캐글-titanic-생존자예측-81-이상-달성하기/index.html").is_file()
        home = (site / "index.html").read_text(encoding="utf-8")
        assert "<style" not in home.split("<main")[1]
    if corpus.startswith("rust-lang"):
        assert (site / "2022/01/31/changes-in-the-core-team/index.html").is_file()
    if corpus.startswith("soohyun"):
        assert (site / "2025/06/19/git-init/index.html").is_file()
        assert (site / "2025/10/20/onnx/index.html").is_file()


def test_unknown_markdown_extensions_warn_by_name(tmp_path):
    config = make_workspace(tmp_path, {"2026-11-01-a.md": "!!! note\n    admonition body\n\nTerm\n: its definition\n"},
                            config="site_name: x\nmarkdown_extensions:\n  - admonition\n  - def_list\n"
                                   "  - markdown.extensions.wikilinks\n  - pymdownx.critic\n")
    result = build_site(config, now=NOW)
    assert [w.format().split("\n")[0] for w in result.warnings] == [
        "mkdocs.yml:5: warning: markdown_extensions: extension 'markdown.extensions.wikilinks' has no markdown-it "
        "equivalent in tilbook; ignored",
        "mkdocs.yml:6: warning: markdown_extensions: extension 'pymdownx.critic' has no markdown-it equivalent in "
        "tilbook; ignored",
    ]
    page = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    assert '<div class="admonition note">' in page and "<dl>" in page and "<dd>its definition</dd>" in page


def test_a_material_blogs_extensions_fold_typeset_or_warn(tmp_path):
    """An MkDocs Material config: `???` folds without a script (pymdownx.details), smarty
    curls quotes, and what tilbook does not do (emoji shortcodes, inline highlighting,
    abbreviations) is a warning, not silently nothing."""
    config = make_workspace(tmp_path, {
        "2026-11-01-a.md": '??? tip "접힌 팁"\n    숨은 내용\n\n???+ note\n    열린 내용\n\n!!! warning\n    늘 보임\n\n'
                           '"따옴표" -- 대시... `"코드"`\n',
    }, config="site_name: x\nmarkdown_extensions:\n  - pymdownx.details\n  - smarty\n  - pymdownx.emoji\n"
              "  - pymdownx.inlinehilite\n  - abbr\n")
    result = build_site(config, now=NOW)
    assert [w.format().split("\n")[0].split("'")[1] for w in result.warnings] == [
        "pymdownx.emoji", "pymdownx.inlinehilite", "abbr"]
    page = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    assert ('<details class="admonition tip">\n<summary class="admonition-title">접힌 팁</summary>\n'
            "<p>숨은 내용</p>\n</details>") in page
    assert '<details class="admonition note" open="">\n<summary class="admonition-title">Note</summary>' in page
    assert '<div class="admonition warning">' in page and "is-collapsible" not in page
    assert "<p>“따옴표” – 대시… <code>&quot;코드&quot;</code></p>" in page


@pytest.mark.parametrize("language", ["ko", "en"])
def test_untitled_boxes_are_titled_in_the_sites_language(tmp_path, language):
    """A Korean page showed "Note" and "Tip" over Korean text (as MkDocs and GitHub, whose
    interfaces are English): an admonition without a title and a GitHub alert are titled in
    the site's language. A title the writer gave stays as written, "Note" included."""
    config = make_workspace(tmp_path, {
        "2026-11-01-a.md": '!!! note\n    하나\n\n!!! Warning "Note"\n    둘\n\n> [!CAUTION]\n> 셋\n\n'
                           '!!! custom\n    넷\n',
    }, config=f"site_name: x\ntheme:\n  language: {language}\nmarkdown_extensions:\n  - admonition\n")
    build_site(config, now=NOW)
    page = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    titles = re.findall(r'<p class="(?:admonition|markdown-alert)-title">([^<]*)</p>', page)
    assert titles == (["참고", "Note", "주의", "Custom"] if language == "ko" else ["Note", "Note", "Caution", "Custom"])


def test_links_to_unpublished_entries_are_not_resolved_to_missing_pages(tmp_path):
    config = make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: a\n---\nsee [the draft](2026-11-02-b.md)\n",
        "2026-11-02-b.md": "---\ntitle: b\ndraft: true\n---\nnot yet\n",
    })
    build_site(config, now=NOW)
    page = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    assert '<a href="2026-11-02-b.md">the draft</a>' in page  # left as written: --strict reports it
    with pytest.raises(BuildError):
        build_site(config, now=NOW, strict=True)
    build_site(config, now=NOW, drafts=True)
    page = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    assert '<a href="/2026/11/02/b/">the draft</a>' in page


def test_a_first_heading_that_repeats_the_title_is_shown_once(tmp_path):
    config = make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: 오토인코더  첫날\n---\n# 오토인코더 첫날\n\n본문.\n",
        "2026-11-02-b.md": "# Title from the heading\n\nBody.\n",
        "2026-11-03-c.md": "---\ntitle: Mine\n---\n# Another heading\n\nBody.\n",
    })
    build_site(config, now=NOW)

    def h1s(day: str, slug: str) -> list[str]:
        page = (tmp_path / f"site/2026/11/{day}/{slug}/index.html").read_text(encoding="utf-8")
        return re.findall(r"<h1[^>]*>([^<]*)", page)

    assert h1s("01", "a") == ["오토인코더 첫날"]
    assert h1s("02", "b") == ["Title from the heading"]
    assert h1s("03", "c") == ["Mine", "Another heading"]


def test_a_slug_given_way_comes_back_when_the_clash_is_gone(tmp_path):
    """Two entries of one day with one slug: the later gets `-2`. When the first is deleted,
    the rebuild gives the second its own slug back, as a clean build does (the cache keeps
    entries as parsed, before the journal made their slugs unique)."""
    same = "---\ntitle: 같은 제목\nslug: 같은-제목\ndate: 2026-11-05 {t}\n---\n본문 {t}\n"
    config = make_workspace(tmp_path, {"2026/a.md": same.format(t="09:00"), "2026/b.md": same.format(t="21:00")})
    first = build_site(config, now=NOW)
    assert any("같은-제목-2" in w.message for w in first.warnings)
    assert (tmp_path / "site/2026/11/05/같은-제목-2/index.html").is_file()
    (tmp_path / "journal/2026/a.md").unlink()
    again = build_site(config, now=NOW)
    assert not any("같은-제목-2" in w.message for w in again.warnings)
    page = (tmp_path / "site/2026/11/05/같은-제목/index.html").read_text(encoding="utf-8")
    assert "본문 21:00" in page
    assert not (tmp_path / "site/2026/11/05/같은-제목-2").exists()


def test_favicon_is_the_themes_unless_the_config_names_one(tmp_path):
    config = make_workspace(tmp_path, {"2026-11-01-a.md": "x"})
    result = build_site(config, now=NOW)
    home = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="/assets/favicon.svg">' in home
    assert (tmp_path / "site/assets/favicon.svg").read_bytes().startswith(b"<svg") and result.warnings == ()

    # MkDocs' `theme.favicon`: a file under docs_dir, linked under the site's base path
    write_files(tmp_path, {"journal/images/아이콘.png": b"\x89PNG fake"})
    config = make_workspace(tmp_path, {"2026-11-01-a.md": "x"},
                            config="site_name: x\nsite_url: https://u.github.io/til/\ntheme:\n  favicon: images/아이콘.png\n")
    result = build_site(config, now=NOW)
    page = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="/til/images/%EC%95%84%EC%9D%B4%EC%BD%98.png">' in page
    assert (tmp_path / "site/images/아이콘.png").is_file() and result.warnings == ()

    config = make_workspace(tmp_path, {"2026-11-01-a.md": "x"},
                            config="site_name: x\ntheme:\n  language: ko\n  favicon: img/missing.png\n")
    result = build_site(config, now=NOW)
    assert [w.format() for w in result.warnings] == [
        "mkdocs.yml:4: warning: theme.favicon: 'img/missing.png' is not in journal/\n"
        "  hint: put the icon there (the path is relative to docs_dir), or remove the key for the theme's icon"]
    # or a file of the custom theme's assets/, which are published as the theme's are
    write_files(tmp_path, {"over/assets/me.svg": "<svg/>"})
    for name, warned in (("assets/me.svg", False), ("base.html", True)):
        config = make_workspace(tmp_path, {"2026-11-01-a.md": "x"},
                                config=f"site_name: x\ntheme:\n  custom_dir: over\n  favicon: {name}\n")
        result = build_site(config, now=NOW)
        assert bool(result.warnings) == warned, name
    assert (tmp_path / "site/assets/me.svg").is_file()
    with pytest.raises(ConfigError) as info:
        make_workspace(tmp_path, config="site_name: x\ntheme:\n  favicon: ../secret.png\n")
    assert info.value.problem.format().startswith("mkdocs.yml:3: theme.favicon: '../secret.png' leaves docs_dir")


def test_pages_carry_canonical_and_open_graph_for_link_previews(example):
    _, _, site = example
    page = (site / "2026/11/17/gan-minimax/index.html").read_text(encoding="utf-8")
    url = "https://example.github.io/nightly-dl/2026/11/17/gan-minimax/"
    assert f'<link rel="canonical" href="{url}">' in page and f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:title" content="GAN 첫날: 미니맥스 게임">' in page
    assert '<meta property="og:type" content="article">' in page and '<meta property="og:locale" content="ko_KR">' in page
    assert '<meta property="article:published_time" content="2026-11-17T22:30:00+09:00">' in page
    assert '<meta property="article:tag" content="논문">' in page
    with_notebook = (site / "2026/11/19/mode-collapse/index.html").read_text(encoding="utf-8")
    image = re.search(r'<meta property="og:image" content="https://example.github.io/nightly-dl/(notebooks/[^"]+)">',
                      with_notebook)
    assert image and (site / image[1]).is_file()  # the notebook's plot, published
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:type" content="website">' in home and "article:" not in home
    assert "canonical" not in (site / "404.html").read_text(encoding="utf-8")  # shown at any missing address


def test_a_bodys_first_image_is_its_preview_picture(tmp_path):
    write_files(tmp_path, {"journal/img/결과.png": b"\x89PNG"})
    config = make_workspace(tmp_path, {"2026-11-01-a.md": "글\n\n![결과](img/결과.png)\n\n![둘째](https://x.org/b.png)\n",
                                       "2026-11-02-b.md": "![먼 곳](https://cdn.example.org/a.png)\n",
                                       "2026-11-03-c.md": "![스킴 없음](//cdn.example.org/c.png)\n"},
                            config="site_name: x\nsite_url: https://u.github.io/til/\n")
    build_site(config, now=NOW)
    local = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    assert '<meta property="og:image" content="https://u.github.io/til/img/%EA%B2%B0%EA%B3%BC.png">' in local
    assert '<meta name="twitter:card" content="summary_large_image">' in local
    remote = (tmp_path / "site/2026/11/02/b/index.html").read_text(encoding="utf-8")
    assert '<meta property="og:image" content="https://cdn.example.org/a.png">' in remote
    bare_host = (tmp_path / "site/2026/11/03/c/index.html").read_text(encoding="utf-8")
    assert '<meta property="og:image" content="https://cdn.example.org/c.png">' in bare_host
    # without site_url there is no absolute address to give: no canonical, og:url or local picture
    config = make_workspace(tmp_path, {"2026-11-01-a.md": "![결과](img/결과.png)\n"}, config="site_name: x\n")
    build_site(config, now=NOW)
    bare = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    assert "canonical" not in bare and "og:url" not in bare and "og:image" not in bare


def test_comments_appear_under_published_entries_only_when_configured(tmp_path):
    entries = {"2026-11-01-a.md": "하나\n", "2026-11-02-b.md": "---\ndraft: true\n---\n둘\n"}
    config = make_workspace(tmp_path, entries, config="site_name: x\ntheme: {language: ko}\ntilbook:\n  comments:\n"
                            "    provider: giscus\n    repo: you/til\n    repo_id: R_1\n    category: 댓글\n"
                            "    category_id: DIC_2\n")
    build_site(config, now=NOW, drafts=True)
    page = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    script = re.search(r'<section class="comments" aria-label="댓글">\s*<script src="https://giscus.app/client.js"([^>]*)>',
                       page)
    assert script, page
    attrs = dict(re.findall(r'(data-[\w-]+)="([^"]*)"', script[1]))
    assert {k: attrs[k] for k in ("data-repo", "data-repo-id", "data-category", "data-category-id", "data-mapping",
                                  "data-theme", "data-lang")} == {
        "data-repo": "you/til", "data-repo-id": "R_1", "data-category": "댓글", "data-category-id": "DIC_2",
        "data-mapping": "pathname", "data-theme": "preferred_color_scheme", "data-lang": "ko"}
    assert "giscus" not in (tmp_path / "site/2026/11/02/b/index.html").read_text(encoding="utf-8")  # a draft
    assert "giscus" not in (tmp_path / "site/index.html").read_text(encoding="utf-8")
    config = make_workspace(tmp_path, entries, config="site_name: x\ntilbook:\n  comments: {provider: utterances, "
                            "repo: you/til, label: 💬}\n")
    build_site(config, now=NOW)
    page = (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")
    assert ('<script src="https://utteranc.es/client.js" repo="you/til" issue-term="pathname" label="💬" '
            'theme="preferred-color-scheme" crossorigin="anonymous" async></script>') in page
    config = make_workspace(tmp_path, entries)  # and by default, no other host at all
    build_site(config, now=NOW)
    assert "https://" not in (tmp_path / "site/2026/11/01/a/index.html").read_text(encoding="utf-8")


def test_tilbooks_own_code_is_an_input(tmp_path, monkeypatch):
    """An editable install's `git pull` changes what pages say without a new version string:
    the code's hash is part of every page's and every parsed entry's key, with the versions
    of the libraries that render them."""
    import tilbook.site.build as build
    from tilbook.site.build import FileHashes, code_key

    package = write_files(tmp_path / "pkg", {"a.py": "x = 1\n", "sub/b.py": "y = 2\n", "sub/__pycache__/b.py": "z\n",
                                             "theme.html": "<p>\n"})
    first = code_key(FileHashes(None), package)
    assert code_key(FileHashes(None), package) == first
    (package / "sub" / "__pycache__" / "b.py").write_text("changed\n", encoding="utf-8")
    (package / "theme.html").write_text("<div>\n", encoding="utf-8")
    assert code_key(FileHashes(None), package) == first  # only the package's Python files count
    (package / "sub" / "b.py").write_text("y = 3\n", encoding="utf-8")
    assert code_key(FileHashes(None), package) != first

    import tilbook.site.bodies as bodies
    import tilbook.site.render as render

    parsed: list[int] = []
    rendered: list[str] = []
    real_parse, real_render = bodies.parse_and_render, render.render_page
    monkeypatch.setattr(bodies, "parse_and_render", lambda paths, *a, **k: parsed.append(len(paths)) or real_parse(paths, *a, **k))
    monkeypatch.setattr(render, "render_page", lambda env, page: rendered.append(page.path) or real_render(env, page))
    config = make_workspace(tmp_path / "ws", {"2026-11-01-a.md": "---\ntitle: first\n---\nalpha\n",
                                              "2026-11-02-b.md": "---\ntitle: second\n---\nbeta\n"})
    build_site(config, now=NOW, workers=1)
    assert parsed == [2] and len(rendered) > 10
    pages = sorted(rendered)
    parsed.clear()
    rendered.clear()
    assert build_site(config, now=NOW, workers=1).noop and rendered == []
    monkeypatch.setattr(build, "code_key", lambda hasher: "another tilbook")
    again = build_site(config, now=NOW, workers=1)
    assert not again.noop and parsed == [2] and sorted(rendered) == pages  # everything, again
    # and so are the libraries that render pages: `pip install -U pygments` colours code anew
    assert any(v.startswith("pygments-") for v in build.library_versions())
    parsed.clear()
    rendered.clear()
    monkeypatch.setattr(build, "library_versions", lambda: ("pygments-99.0.dist-info",))
    again = build_site(config, now=NOW, workers=1)
    assert not again.noop and parsed == [2] and sorted(rendered) == pages


def test_a_build_reports_its_progress_stage_by_stage(tmp_path):
    """A cold build of 2,000 entries spent 9 of its 13 s writing pages and indexing for
    search with its counter still at "rendering entries 2000/2000": each stage counts now."""
    entries = {f"2026-{m:02d}-0{d}.md": f"# 글 {m}-{d}\n\n공부했다.\n" for m in (10, 11) for d in range(1, 4)}
    config = make_workspace(tmp_path, entries)
    calls: list[tuple[str, int, int]] = []
    result = build_site(config, now=NOW, progress=lambda *call: calls.append(call))
    stages = [stage for stage, _, _ in calls]
    assert stages == sorted(stages, key=["parse", "pages", "search"].index)  # in that order
    assert [c for c in calls if c[0] == "parse"] == [("parse", i, 6) for i in range(1, 7)]
    pages = [c[1:] for c in calls if c[0] == "pages"]
    assert pages == [(i, len(pages)) for i in range(1, len(pages) + 1)] and len(pages) > 6
    assert sum(not p.startswith(("assets/", "pagefind/")) for p in result.changed) == len(pages)  # every page
    search = [c[1:] for c in calls if c[0] == "search"]  # at the start, then as each shard is done
    assert search[0] == (0, 6) and search[-1] == (6, 6) and search == sorted(search) and len(search) == 3


def test_an_entry_dated_by_git_is_kept_without_its_body_like_the_others(tmp_path, monkeypatch):
    """A build keeps entries without their Markdown (it keeps rendered bodies instead): an
    entry dated by its first commit, parsed a second time for that date, was kept whole.
    An edit to its body alone is built as any other's (without collecting the site)."""
    import subprocess

    import tilbook.site.collect as collect
    from tilbook.site.build import CacheFiles, _shard

    undated = "# 날짜 없는 글\n\n" + "본문이 꽤 길다. " * 20 + "\n\n{}\n"
    config = make_workspace(tmp_path, {"topic/undated.md": undated.format("둘째 문단."),
                                       "2026-11-01-dated.md": "# 날짜 있는 글\n\n본문.\n"})
    env = {"GIT_AUTHOR_DATE": "2023-04-05T06:07:08+09:00", "GIT_COMMITTER_DATE": "2023-04-05T06:07:08+09:00",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    for cmd in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "first"]):
        subprocess.run(cmd, cwd=tmp_path, check=True, env=env)
    build_site(config, now=NOW)
    caches = CacheFiles(tmp_path / ".tilbook/cache")
    kept = {rel: caches.load(_shard(rel))["items"][rel][1] for rel in ("topic/undated.md", "2026-11-01-dated.md")}
    assert kept["topic/undated.md"].date_source == "git"
    assert [entry.body for entry in kept.values()] == ["", ""]
    assert (tmp_path / "site/2023/04/05/undated/index.html").is_file()

    (tmp_path / "journal/topic/undated.md").write_text(undated.format("고쳐 쓴 둘째 문단."), encoding="utf-8")
    monkeypatch.setattr(collect, "collect_site", lambda *a, **k: pytest.fail("the whole build ran"))
    collect.forget_earlier_builds()
    changed = build_site(config, now=NOW).changed
    assert [p for p in changed if not p.startswith("pagefind/")] == ["2023/04/05/undated/index.html", "feed.xml"]
    monkeypatch.undo()
    edited = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    shutil.rmtree(tmp_path / "site")
    build_site(config, now=NOW, use_cache=False)
    assert {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()} == edited


def test_an_entrys_own_description_is_its_card_feed_summary_and_link_preview(tmp_path):
    """`tilbook import` keeps a post's description (Chirpy, MkDocs Material), summary (Hugo)
    or excerpt (Jekyll) as `description`, and the site ignored all three: cards, the feed and
    `<meta name="description">` showed the first paragraph instead of what the writer wrote."""
    config = make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: a\ndescription: >-\n  카드에 보일\n  설명\n---\n본문 첫 문단 가.\n",
        "2026-11-02-b.md": "---\ntitle: b\nsummary: 휴고의 요약\n---\n본문 첫 문단 나.\n",
        "2026-11-03-c.md": "---\ntitle: c\nexcerpt: 지킬의 발췌\n---\n본문 첫 문단 다.\n",
        "2026-11-04-d.md": "---\ntitle: d\ndescription: \"\"\n---\n본문 첫 문단 라.\n",
        "2026-11-05-e.md": "---\ntitle: e\nmath: true\ndescription: 손실 $L = x^2$ 줄이기\n---\n수식 없는 본문.\n",
    })
    build_site(config, now=NOW)
    home = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    feed = (tmp_path / "site/feed.xml").read_text(encoding="utf-8")
    for day, slug, shown in (("01", "a", "카드에 보일 설명"), ("02", "b", "휴고의 요약"), ("03", "c", "지킬의 발췌"),
                             ("04", "d", "본문 첫 문단 라.")):
        page = (tmp_path / f"site/2026/11/{day}/{slug}/index.html").read_text(encoding="utf-8")
        assert f'<meta name="description" content="{shown}' in page, slug
        assert f"<summary>{shown}" in feed and shown in home
    assert "본문 첫 문단 가" not in home and "본문 첫 문단 가" in feed  # (the feed's content is the body)
    # its math typeset on the card, though the body has none: the site ships KaTeX for it
    assert '손실 <span class="math inline">\\(L = x^2\\)</span> 줄이기' in home
    assert (tmp_path / "site/assets/katex/katex.min.js").is_file() and "katex.min.js" in home
    assert first_error_after_writing(tmp_path, "---\ntitle: a\ndescription: [a, b]\n---\nx\n").startswith(
        "journal/2026-11-01-a.md:3: front matter 'description': expected text, got a list")


def first_error_after_writing(tmp_path, text):
    """The first problem of a build after journal/2026-11-01-a.md was given `text`."""
    write_files(tmp_path, {"journal/2026-11-01-a.md": text})
    with pytest.raises(BuildError) as info:
        build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW)
    return info.value.problems[0].format()


def test_authors_from_the_front_matter_are_named_on_the_page_and_in_the_feed(tmp_path):
    """A multi-author blog moved with `tilbook import` keeps `authors`, and the site dropped
    them: every post read as the site author's. The site's own author is not named again."""
    config = make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: a\nauthors: [Aaron Turon, 김하늘]\n---\nx\n",
        "2026-11-02-b.md": "---\ntitle: b\nauthor: {name: Niko}\n---\nx\n",  # minimal-mistakes' mapping
        "2026-11-03-c.md": "---\ntitle: c\nauthor: 나\n---\nx\n",  # the site's author
    }, config="site_name: x\nsite_author: 나\nsite_url: https://x.github.io/\ntheme:\n  language: ko\n")
    build_site(config, now=NOW)

    def meta(slug, day):
        page = (tmp_path / f"site/2026/11/{day}/{slug}/index.html").read_text(encoding="utf-8")
        return re.search(r'<p class="meta">.*?</p>', page).group(0)

    assert meta("a", "01").endswith('· <span class="authors">글쓴이 Aaron Turon, 김하늘</span></p>')
    assert meta("b", "02").endswith("글쓴이 Niko</span></p>")
    assert "authors" not in meta("c", "03")
    feed = ET.parse(tmp_path / "site/feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    by_title = {e.find("a:title", ns).text: [n.text for n in e.findall("a:author/a:name", ns)]
                for e in feed.findall("a:entry", ns)}
    assert by_title == {"a": ["Aaron Turon", "김하늘"], "b": ["Niko"], "c": ["나"]}
    assert feed.find("a:author/a:name", ns).text == "나"
    assert first_error_after_writing(tmp_path, "---\ntitle: a\nauthors: [[x]]\n---\nx\n").startswith(
        "journal/2026-11-01-a.md:3: front matter 'authors': expected a name or a list of names")


def test_an_entrys_own_image_is_what_its_link_preview_shows(tmp_path):
    """Chirpy's and Hugo's preview picture (`image`, `images`): beside the entry, from the
    site root or another host's; one beside the entry that is not there is a warning at
    its line. Without it the body's first picture is used, as before."""
    config = make_workspace(tmp_path, {
        "2026/2026-11-01-a.md": "---\ntitle: a\nimage:\n  path: https://example.org/cover.png\n---\n![b](in-body.png)\n",
        "2026/2026-11-02-b.md": "---\ntitle: b\nimages: [pics/plot 1.png]\n---\n![b](in-body.png)\n",
        "2026/2026-11-03-c.md": "---\ntitle: c\nimage: /static/logo.png\n---\nx\n",
        "2026/2026-11-04-d.md": "---\ntitle: d\nimage: gone.png\n---\nx\n",
        "2026/2026-11-05-e.md": "---\ntitle: e\n---\n![first](<pics/plot 1.png>)\n",
        "2026/pics/plot 1.png": b"\x89PNG\r\n\x1a\n", "2026/in-body.png": b"\x89PNG\r\n\x1a\n",
    }, config="site_name: x\nsite_url: https://me.github.io/til/\n")
    result = build_site(config, now=NOW)

    def og_image(slug, day):
        page = (tmp_path / f"site/2026/11/{day}/{slug}/index.html").read_text(encoding="utf-8")
        return re.search(r'<meta property="og:image" content="([^"]*)">', page).group(1)

    assert og_image("a", "01") == "https://example.org/cover.png"
    assert og_image("b", "02") == "https://me.github.io/til/2026/pics/plot%201.png"
    assert og_image("c", "03") == "https://me.github.io/til/static/logo.png"
    assert og_image("e", "05") == "https://me.github.io/til/2026/pics/plot%201.png"
    assert [w.format().split("\n")[0] for w in result.warnings] == [
        "journal/2026/2026-11-04-d.md:3: warning: front matter 'image': '2026/gone.png' is not in journal/"]


def test_a_pinned_entry_comes_first_on_the_home_page(tmp_path):
    """Chirpy's and MkDocs Material's `pin: true` (kept by `tilbook import`): first on the
    home page, badged, once; every other list keeps the order of dates."""
    entries = {f"2026-11-{d:02d}-e{d}.md": f"---\ntitle: e{d}\n---\nx\n" for d in range(1, 6)}
    entries["2026-10-01-about.md"] = "---\ntitle: 처음 오신 분께\npin: true\n---\n안내\n"
    config = make_workspace(tmp_path, entries, config="site_name: x\ntheme:\n  language: ko\ntilbook:\n  per_page: 3\n")
    build_site(config, now=NOW)

    def titles(path):
        return re.findall(r'<h2 class="card-title"><a href="[^"]*">([^<]*)</a>(.*?)</h2>',
                          (tmp_path / "site" / path).read_text(encoding="utf-8"))

    assert titles("index.html") == [("처음 오신 분께", ' <span class="badge">고정</span>'), ("e5", ""), ("e4", "")]
    assert titles("page/2/index.html") == [("e3", ""), ("e2", ""), ("e1", "")]
    feed = (tmp_path / "site/feed.xml").read_text(encoding="utf-8")
    assert feed.index("<title>e5</title>") < feed.index("<title>처음 오신 분께</title>")
    assert first_error_after_writing(tmp_path, "---\ntitle: a\npin: maybe\n---\nx\n").startswith(
        "journal/2026-11-01-a.md:3: front matter 'pin': expected true or false, got 'maybe'")
