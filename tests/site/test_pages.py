"""Pages of the site (an About page): `page: true`, or Jekyll's `layout: page` on an undated
file. Published at their own address, linked from the navigation, in no list."""

import datetime as dt
import re

import pytest

from tests.conftest import make_workspace
from tilbook.errors import BuildError
from tilbook.journal import load_journal
from tilbook.site.build import build_site

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
ENTRY = "---\ntitle: 첫 글\ndate: 2026-11-20\ntags: [gan]\n---\n\n[소개](../about.md#연락)를 보세요.\n"
ABOUT = "---\ntitle: 소개\npage: true\n---\n\n밤마다 공부합니다.\n\n## 연락\n\nme@example.org\n"


def read(site, rel):
    return (site / rel).read_text(encoding="utf-8")


def nav_links(html):
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', html, re.S)[1]
    return re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', nav)


def test_a_page_has_its_own_address_a_link_on_every_page_and_is_in_no_list(tmp_path):
    config = make_workspace(tmp_path, {"2026/2026-11-20-first.md": ENTRY, "about.md": ABOUT})
    result = build_site(config, now=NOW, strict=True)  # (strict: the entry's link to the page and its anchor resolve)
    site = config.site_dir
    assert result.entries == 1 and result.warnings == ()  # no "no date" warning for the page
    page = read(site, "about/index.html")
    assert "<h1>소개</h1>" in page and "밤마다 공부합니다." in page and 'id="연락"' in page
    assert 'class="prevnext"' not in page and 'class="tags"' not in page and "<time" not in page
    for rel in ("index.html", "tags/gan/index.html", "2026/11/20/first/index.html", "about/index.html"):
        assert nav_links(read(site, rel))[-1] == ("/about/", "소개"), rel
    entry = read(site, "2026/11/20/first/index.html")
    assert 'href="/about/#%EC%97%B0%EB%9D%BD"' in entry and 'rel="prev"' not in entry and 'rel="next"' not in entry
    for rel in ("index.html", "archive/2026/index.html", "tags/gan/index.html", "todo/index.html"):
        assert "/about/" not in read(site, rel).replace('<a href="/about/"', ""), rel  # only the nav's link
    assert read(site, "feed.xml").count("<entry>") == 1 and "소개</title>" not in read(site, "feed.xml")
    assert "<loc>/about/</loc>" in read(site, "sitemap.xml")
    assert "/about/" not in read(site, "sitemap.xml").split("<loc>/about/</loc>")[1].split("</url>")[0]  # no lastmod
    journal = load_journal(config)
    assert [e.rel for e in journal.entries] == ["2026/2026-11-20-first.md"]
    assert [p.rel for p in journal.pages] == ["about.md"]


def test_jekylls_layout_page_is_a_page_only_on_a_file_without_a_date(tmp_path):
    """Some blogs give every post `layout: page` (one corpus does, 102 posts): a post has a
    date, in its name or front matter, and stays an entry."""
    config = make_workspace(tmp_path, {
        "now.md": "---\nlayout: page\ntitle: Now\n---\n\nReading GAN papers.\n",
        "_posts/2026-11-01-post.md": "---\nlayout: page\ntitle: Post\n---\n\nA post.\n",
        "dated.md": "---\nlayout: page\ntitle: Dated\ndate: 2026-11-02\n---\n\nAn entry.\n",
        "kept.md": "---\nlayout: page\npage: false\ntitle: Kept\n---\n\nAn entry, said so.\n",
        "hidden.md": "---\npage: true\ntitle: Hidden\nnav: false\n---\n\nNot in the nav.\n",
    })
    journal = load_journal(config)
    assert [p.rel for p in journal.pages] == ["hidden.md", "now.md"]
    assert sorted(e.rel for e in journal.entries) == ["_posts/2026-11-01-post.md", "dated.md", "kept.md"]
    build_site(config, now=NOW)
    home = read(config.site_dir, "index.html")
    assert nav_links(home)[-1] == ("/now/", "Now") and "/hidden/" not in home
    assert (config.site_dir / "hidden" / "index.html").is_file()


def test_pages_are_ordered_in_the_nav_by_nav_order_then_title(tmp_path):
    config = make_workspace(tmp_path, {
        "a.md": "---\npage: true\ntitle: Zeta\nnav_order: 1\n---\n",
        "b.md": "---\npage: true\ntitle: Alpha\n---\n",
        "c.md": "---\npage: true\ntitle: beta\n---\n",
        "d.md": "---\npage: true\ntitle: Draft\ndraft: true\n---\n",
        "2026-11-20.md": "# Day\n",
    })
    build_site(config, now=NOW)
    assert [label for _, label in nav_links(read(config.site_dir, "index.html"))][-3:] == ["Zeta", "Alpha", "beta"]
    assert not (config.site_dir / "draft").exists()
    build_site(config, now=NOW, drafts=True)
    assert nav_links(read(config.site_dir, "index.html"))[-1] == ("/d/", "Draft")


def test_a_page_with_the_address_of_a_page_of_the_site_is_an_error(tmp_path):
    config = make_workspace(tmp_path, {"tags.md": "---\npage: true\ntitle: My tags\n---\n", "2026-11-20.md": "# Day\n"})
    with pytest.raises(BuildError) as info:
        build_site(config, now=NOW)
    assert [p.format().splitlines()[0] for p in info.value.problems] == [
        "journal/tags.md: this page's address /tags/ is also that of the site's list of tags; "
        "one page would replace the other"]


def test_a_bad_page_flag_is_an_error_at_its_line(tmp_path):
    config = make_workspace(tmp_path, {
        "about.md": "---\ntitle: About\npage: maybe\n---\n",
        "now.md": "---\ntitle: Now\npage: true\nnav: 0\nnav_order: first\n---\n",
        # an entry's `nav` is another theme's business: not read
        "2026-11-20.md": "---\ntitle: Day\nnav: main\nnav_order: first\n---\n",
    })
    journal = load_journal(config)
    assert [p.format().splitlines()[0] for p in journal.errors] == [
        "journal/about.md:3: front matter 'page': expected true or false, got 'maybe'",
        "journal/now.md:4: front matter 'nav': expected true or false, got 0",
        "journal/now.md:5: front matter 'nav_order': expected a number, got 'first'"]
    assert [e.rel for e in journal.entries] == ["2026-11-20.md"]


def test_a_page_and_an_entry_becoming_one_another_rebuild_as_a_clean_build_would(tmp_path):
    config = make_workspace(tmp_path, {"2026-11-20-day.md": "# Day\n\nText.\n", "about.md": ABOUT})
    build_site(config, now=NOW)
    about = config.docs_dir / "about.md"
    for text in (ABOUT.replace("page: true", "page: false\ndate: 2026-11-21"), ABOUT, ABOUT + "\nMore text.\n",
                 ABOUT.replace("소개", "나에 대해")):
        about.write_text(text, encoding="utf-8")
        build_site(config, now=NOW)
        incremental = {p.relative_to(config.site_dir): p.read_bytes() for p in config.site_dir.rglob("*") if p.is_file()}
        clean = make_workspace(tmp_path / "clean", {"2026-11-20-day.md": "# Day\n\nText.\n", "about.md": text})
        build_site(clean, now=NOW, use_cache=False)
        assert incremental == {p.relative_to(clean.site_dir): p.read_bytes()
                               for p in clean.site_dir.rglob("*") if p.is_file()}, text


def test_build_and_check_count_pages_beside_entries(tmp_path, run):
    make_workspace(tmp_path, {"2026/2026-11-20-first.md": ENTRY, "about.md": ABOUT})
    assert run(tmp_path, "build").out.startswith("built site/: 1 entry and 1 page, ")
    assert run(tmp_path, "build").out.startswith("site/ is up to date (1 entry and 1 page, ")
    assert run(tmp_path, "check").out == "checked 1 entry and 1 page: 0 errors, 0 warnings\n"
