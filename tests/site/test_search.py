"""The search index: what it holds for Korean, when it is rebuilt, and how it fails.
(The queries themselves run in a browser: tests/site/test_browser.py, bench/search/.)"""

import datetime as dt
import html
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import make_workspace
from tilbook.config import load_config
from tilbook.errors import BuildError, ConfigError
from tilbook.site.build import build_site
import tilbook.site.search as search_module
from tilbook.site.search import MARK, PARTICLES, SearchDoc, korean_suffixes, source_page, strip_particle, text_of

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
ENTRIES = {
    "2026-11-01-torch.md": "---\ntitle: 파이토치 설치\ntags: [pytorch]\n---\n딥러닝 서버에 파이토치를 설치했다. `DataLoader`도 써 봤다.\n",
    "2026-11-02-gan.md": "---\ntitle: GAN 첫날\n---\n생성자와 판별자가 겨루는 미니맥스 게임.\n",
}


def test_suffixes_make_every_inner_part_of_a_korean_stem_a_prefix():
    assert korean_suffixes("파이토치를 배웠다") == ["이토치", "토치", "웠다"]  # 를 stripped first
    assert korean_suffixes("딥러닝 딥러닝은 GPU") == ["러닝"]  # each once: 딥러닝은's stem is 딥러닝
    assert korean_suffixes("AI 서버 is fast 서버를") == []  # a stem of two syllables or fewer: nothing to add
    assert korean_suffixes("마을을 컴퓨터공학과") == ["퓨터공학", "터공학", "공학"]  # (마을: two syllables)
    assert strip_particle("마을") == "마을" and strip_particle("서버에서는") == "서버"  # two syllables stay


@given(st.text(alphabet=st.sampled_from("가나다라마바사 abc\n.,"), max_size=60))
def test_every_suffix_is_inside_the_text_and_short_words_add_nothing(text):
    for suffix in korean_suffixes(text):
        assert suffix in text and len(suffix) >= 2
        assert any(strip_particle(run).endswith(suffix) and strip_particle(run) != suffix
                   for run in re.findall("[가-힣]+", text))


@given(st.text(alphabet=st.sampled_from("가는를에서부터으로이다했하기만나란도보처럼"), max_size=8))
def test_a_particle_is_stripped_as_the_script_strips_it(word):
    """search.js takes the first of PARTICLES a query's word ends with (two syllables left);
    the index side must strip the text's words alike."""
    first = next((word[: -len(p)] for p in PARTICLES if len(word) - len(p) >= 2 and word.endswith(p)), word)
    assert strip_particle(word) == first


def test_the_page_pagefind_reads_keeps_text_and_suffixes_apart():
    doc = SearchDoc("/til/2026/11/01/torch/", "파이토치 설치", "2026-11-01", ("pytorch",), "k")
    page = source_page(doc, '<h2 id="a">서버 <a class="header-anchor" href="#a">¶</a></h2><p>파이토치를 설치</p>', "ko")
    visible, extra = text_of(page).split(MARK)
    assert "¶" not in visible and "파이토치를 설치" in visible and "#pytorch" in visible
    assert extra.split() == ["이토치", "토치"]  # of the title, and of 파이토치를's stem: once
    assert 'data-pagefind-meta="url:/til/2026/11/01/torch/"' in page and 'data-pagefind-weight="0.2"' in page


def test_formulas_are_indexed_as_their_tex_without_delimiters():
    """Search excerpts read "생성자 G와 판별자 D가", not "생성자 \\(G\\)와"."""
    body = ('<p>생성자 <span class="math inline">\\(G\\)</span>와 판별자 <span class="math inline">\\(D\\)</span>가</p>\n'
            '<div class="math block">\\[\\min_G \\max_D V(D, G)\\]</div>')
    page = source_page(SearchDoc("/x/", "GAN", "2026-11-01", (), "k"), body, "ko")
    visible = text_of(page).split(MARK)[0]
    assert "생성자 G와 판별자 D가 \\min_G \\max_D V(D, G)" in visible and "\\(" not in page and "\\[" not in page


_HTMLISH = st.lists(st.sampled_from(list(" \t\n\u00a0\u3000가a<>/=\"#&;¶") + [
    "<p>", "</p>", "&amp;", "&nbsp;", '<a class="header-anchor" href="#x">¶</a>', ' <a class="header-anchor" href="#가">¶</a>',
    "<script>", "</script>"]), max_size=40).map("".join)


@given(_HTMLISH)
def test_text_of_and_strip_permalinks_do_what_the_slower_patterns_did(text):
    from tilbook.site.markdown import strip_permalinks

    assert text_of(text) == re.sub(r"\s+", " ", html.unescape(search_module._TAG.sub(" ", text))).strip()
    assert strip_permalinks(text) == re.sub(r' ?<a class="header-anchor" href="[^"]*">[^<]*</a>', "", text)


def test_text_of_drops_tags_scripts_and_decodes_entities():
    assert text_of("<p>a &amp; b</p><script>var x = '<p>';</script><style>p{}</style>\n<b>c</b>") == "a & b c"


def test_build_publishes_the_index_and_the_script(tmp_path):
    config = make_workspace(tmp_path, ENTRIES)
    result = build_site(config, now=NOW)
    site = tmp_path / "site"
    assert json.loads((site / "pagefind/tilbook.json").read_bytes()) == {"shards": ["recent"],
                                                                         "particles": list(PARTICLES)}
    assert (site / "pagefind/recent/pagefind.js").is_file() and (site / "assets/search.js").is_file()
    assert not list(site.glob("pagefind/recent/pagefind-ui*"))  # Pagefind's own UIs are not shipped
    entry = json.loads((site / "pagefind/recent/pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["ko" if config.theme.language == "ko" else "en"]["page_count"] == 2
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'form class="search"' in home and "assets/search.js" in home
    assert any(p.startswith("pagefind/") for p in result.changed)


def test_the_index_is_rebuilt_only_when_what_it_holds_changes(tmp_path):
    config = make_workspace(tmp_path, ENTRIES)
    build_site(config, now=NOW)
    (tmp_path / "mkdocs.yml").write_text("site_name: Test TIL\ntilbook:\n  timezone: Asia/Seoul\n  per_page: 1\n",
                                         encoding="utf-8")
    paged = build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW)
    assert "page/2/index.html" in paged.changed and not any(p.startswith("pagefind/") for p in paged.changed)
    (tmp_path / "journal/2026-11-02-gan.md").write_text("---\ntitle: GAN 둘째 날\n---\n모드 붕괴.\n", encoding="utf-8")
    edited = build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW)
    assert any(p.startswith("pagefind/") for p in edited.changed)
    fragments = list((tmp_path / "site/pagefind/recent/fragment").iterdir())
    assert len(fragments) == 2  # the old fragment of the edited entry is gone


def test_search_false_builds_without_index_or_box(tmp_path):
    config = make_workspace(tmp_path, ENTRIES, config="site_name: x\ntilbook:\n  search: false\n")
    build_site(config, now=NOW)
    assert not (tmp_path / "site/pagefind").exists()
    assert 'form class="search"' not in (tmp_path / "site/index.html").read_text(encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        make_workspace(tmp_path, ENTRIES, config="site_name: x\ntilbook:\n  search: maybe\n")
    assert "tilbook.search" in str(info.value) and "expected true or false" in str(info.value)


def test_a_missing_pagefind_fails_the_build_and_keeps_the_old_site(tmp_path, monkeypatch):
    config = make_workspace(tmp_path, ENTRIES)
    build_site(config, now=NOW)
    before = (tmp_path / "site/index.html").read_bytes()
    (tmp_path / "journal/2026-11-03-new.md").write_text("---\ntitle: 새 글\n---\n본문\n", encoding="utf-8")
    monkeypatch.setenv("TILBOOK_PAGEFIND", str(tmp_path / "no-pagefind"))
    with pytest.raises(BuildError) as info:
        build_site(config, now=NOW)
    problem = info.value.problems[0]
    assert "search needs Pagefind" in problem.message and "search: false" in problem.hint
    assert (tmp_path / "site/index.html").read_bytes() == before


def test_a_build_can_leave_the_index_behind_and_catch_up_later(tmp_path):
    """What `serve` does: rebuild pages at once, index when the writer pauses (in memory)."""
    from tilbook.site.build import CacheFiles, update_search_index

    config = make_workspace(tmp_path, ENTRIES)
    caches = CacheFiles(tmp_path / ".tilbook/serve-test", keep=True)
    build_site(config, now=NOW, caches=caches)
    before = sorted(p.name for p in (tmp_path / "site/pagefind/recent/fragment").iterdir())
    (tmp_path / "journal/2026-11-03-new.md").write_text("---\ntitle: 새 글\n---\n그람 행렬\n", encoding="utf-8")
    quick = build_site(config, now=NOW, caches=caches, search_index=False)
    assert quick.search_stale and "2026/11/03/new/index.html" in quick.changed
    assert not any(p.startswith("pagefind/") for p in quick.changed)
    assert sorted(p.name for p in (tmp_path / "site/pagefind/recent/fragment").iterdir()) == before  # the old index stays
    assert not (caches.folder / "manifest.pkl").exists()  # held in memory until flushed
    assert update_search_index(config, caches=caches)
    assert len(list((tmp_path / "site/pagefind/recent/fragment").iterdir())) == 3
    assert not update_search_index(config, caches=caches)  # nothing behind any more
    caches.flush()
    assert build_site(config, now=NOW, caches=CacheFiles(caches.folder)).noop  # a cold process agrees


def test_a_body_edit_left_behind_by_the_preview_is_indexed_when_the_writer_pauses(tmp_path, monkeypatch):
    """`serve` after a paragraph is added: the build for bodies alone publishes the page at
    once and leaves the index behind; catching up indexes the new text, and a cold process
    then finds nothing to do."""
    import tilbook.site.collect as collect
    from tilbook.site.build import CacheFiles, update_search_index
    from tilbook.site.search import FOLDER

    config = make_workspace(tmp_path, ENTRIES)
    caches = CacheFiles(tmp_path / ".tilbook/serve-test", keep=True)
    build_site(config, now=NOW, caches=caches)
    gan = tmp_path / "journal/2026-11-02-gan.md"
    gan.write_text(gan.read_text(encoding="utf-8") + "\n모드 붕괴를 피하는 법은 내일 본다.\n", encoding="utf-8")
    monkeypatch.setattr(collect, "collect_site", lambda *a, **k: pytest.fail("the whole build ran"))
    quick = build_site(config, now=NOW, caches=caches, search_index=False)
    monkeypatch.undo()
    assert quick.search_stale and quick.changed == ("2026/11/02/gan/index.html", "feed.xml")

    def indexed() -> bytes:
        return b"".join(p.read_bytes() for p in sorted((tmp_path / "site" / FOLDER).rglob("*.pf_fragment")))

    before = indexed()
    assert update_search_index(config, caches=caches)
    assert indexed() != before
    caches.flush()
    assert build_site(config, now=NOW, caches=CacheFiles(caches.folder)).noop


def test_shards_index_in_parallel_and_an_edit_reindexes_only_its_own(tmp_path, monkeypatch):
    """The newest month is one small shard (a new entry re-indexes only it); older entries
    spread over shards by month, and editing one re-indexes only its shard. A new month
    moves the last one's entries into one shard: it alone is indexed again."""
    import tilbook.site.search as search

    monkeypatch.setattr(search, "SHARD_SIZE", 1)
    monkeypatch.setattr(search, "MAX_SHARDS", 8)  # (nine older entries would make it 16: all moved)
    entries = {f"2026-{m:02d}-10-e{m}.md": f"---\ntitle: 글 {m}\n---\n공부한 내용 {m}\n" for m in range(1, 8)}
    entries["2026-10-02-last.md"] = "---\ntitle: 지난 달\n---\n지난 달 내용\n"
    entries["2026-10-20-last.md"] = "---\ntitle: 지난 달 둘\n---\n지난 달 내용 둘\n"
    config = make_workspace(tmp_path, entries)
    build_site(config, now=NOW)
    shards = json.loads((tmp_path / "site/pagefind/tilbook.json").read_bytes())["shards"]
    assert shards == ["recent", *(f"s{(2026 * 12 + m) % 8}" for m in range(1, 8))]  # seven months, seven shards

    def touched() -> set[str]:
        return {p.split("/")[1] for p in build_site(config, now=NOW).changed if p.startswith("pagefind/")}

    (tmp_path / "journal/2026-03-10-e3.md").write_text("---\ntitle: 글 3\n---\n고쳐 쓴 내용\n", encoding="utf-8")
    assert touched() == {f"s{(2026 * 12 + 3) % 8}"}
    (tmp_path / "journal/2026-11-02-new.md").write_text("---\ntitle: 이번 달\n---\n새 달\n", encoding="utf-8")
    assert touched() == {"recent", f"s{(2026 * 12 + 10) % 8}"}  # October's two entries, together
    (tmp_path / "journal/2026-11-20-today.md").write_text("---\ntitle: 오늘\n---\n새 글\n", encoding="utf-8")
    assert touched() == {"recent"}


def test_older_entries_spread_over_a_power_of_two_shards_of_at_most_shard_size():
    """1, 2, 4, 8 or 16 shards: they divide evenly over the cores that index them side by
    side, and an entry changes shard only when the count does (4 times up to 2,000 entries)."""
    from tilbook.site.search import MAX_SHARDS, SHARD_SIZE, shard_count

    sizes = range(0, (MAX_SHARDS + 4) * SHARD_SIZE, 7)
    counts = [shard_count(n) for n in sizes]
    assert set(counts) == {1, 2, 4, 8, 16} == {2**i for i in range(MAX_SHARDS.bit_length())} and counts == sorted(counts)
    assert shard_count(2000) == 16
    for n in sizes:
        count = shard_count(n)
        assert count == MAX_SHARDS or -(-n // count) <= SHARD_SIZE  # each within SHARD_SIZE until capped
        assert count == 1 or -(-n // (count // 2)) > SHARD_SIZE  # and no more shards than that needs
    assert shard_count(100_000) == MAX_SHARDS


def test_pagefinds_run_side_by_side_only_as_far_as_memory_allows(tmp_path, monkeypatch):
    """Each Pagefind holds about 75 bytes per byte it indexes (a 10,000-entry journal's
    shard: a gigabyte), and as many run at once as there are cores: when the memory
    available cannot hold two, they run one after another, and the index is the same."""
    import subprocess

    import tilbook.site.search as search

    monkeypatch.setattr(search, "SHARD_SIZE", 1)
    entries = {f"2026-{m:02d}-10-e{m}.md": f"---\ntitle: 글 {m}\n---\n공부한 내용 {m}\n" for m in range(1, 8)}
    entries["2026-11-02-new.md"] = "---\ntitle: 이번 달\n---\n이번 달 내용\n"
    started: list[subprocess.Popen] = []
    most = [0]

    class Counted(subprocess.Popen):  # how many Pagefinds are running as each starts
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)
            most[0] = max(most[0], sum(p.poll() is None for p in started))

    monkeypatch.setattr(subprocess, "Popen", Counted)
    sites = {}
    for budget in (None, search.pagefind_memory(0)):  # no limit; room for one small shard only
        monkeypatch.setattr(search, "memory_budget", lambda budget=budget: budget)
        started.clear()
        most[0] = 0
        config = make_workspace(tmp_path / str(budget), entries)
        build_site(config, now=NOW)
        assert len(started) >= 4  # several shards
        if budget is not None:
            assert most[0] == 1
        sites[budget] = {p.relative_to(config.site_dir).as_posix(): p.read_bytes()
                         for p in config.site_dir.rglob("*") if p.is_file() and "pagefind" in p.parts}
    assert sites[None] == sites[search.pagefind_memory(0)]


def _indexed_shards(monkeypatch) -> list[list[str]]:
    """The shard names each call of `build_shards` (each indexing) got."""
    import tilbook.site.search as search

    calls: list[list[str]] = []
    real = search.build_shards

    def counted(groups, *args, **kwargs):
        calls.append(sorted(groups))
        return real(groups, *args, **kwargs)

    monkeypatch.setattr(search, "build_shards", counted)
    return calls


MONTHLY = {f"2026-{m:02d}-10-e{m}.md": f"---\ntitle: 글 {m}\n---\n{m}월에 공부한 내용\n" for m in range(1, 6)}


def test_a_shard_is_never_indexed_twice_for_the_same_entries(tmp_path, monkeypatch):
    """Each shard's bundle is kept in the cache as it is built: a site deleted, or a
    preview whose indexing a new change stopped halfway, takes the shards done from there
    (Pagefind takes seconds per thousand entries); a new Pagefind indexes all again."""
    import shutil
    import threading

    import tilbook.site.search as search
    from tilbook.site.build import CacheFiles, update_search_index

    monkeypatch.setattr(search, "SHARD_SIZE", 1)
    config = make_workspace(tmp_path, MONTHLY)
    calls = _indexed_shards(monkeypatch)
    build_site(config, now=NOW)
    assert calls == [["recent", "s0", "s1", "s2", "s3"]]
    clean = {p.relative_to(tmp_path / "site").as_posix(): p.read_bytes() for p in (tmp_path / "site").rglob("*")
             if p.is_file()}
    shutil.rmtree(tmp_path / "site")
    build_site(config, now=NOW)
    assert calls[1:] == []  # every shard from the kept bundles
    assert {p.relative_to(tmp_path / "site").as_posix(): p.read_bytes() for p in (tmp_path / "site").rglob("*")
            if p.is_file()} == clean

    # the preview: one new entry and two edited months leave three shards behind; a change
    # stops the indexing after the first shard, and the next indexing does the two others
    caches = CacheFiles(tmp_path / ".tilbook/cache", keep=True)
    for m in (2, 4):
        (tmp_path / f"journal/2026-{m:02d}-10-e{m}.md").write_text(f"---\ntitle: 글 {m}\n---\n고쳤다 {m}\n", encoding="utf-8")
    (tmp_path / "journal/2026-05-20-more.md").write_text("---\ntitle: 더\n---\n5월 하나 더\n", encoding="utf-8")
    assert build_site(config, now=NOW, caches=caches, search_index=False).search_stale
    stop = threading.Event()
    real = search.build_shards
    before_stop: list[str] = []

    def stopped_after_one(groups, *args, on_shard=None, **kwargs):
        def done(name, files):
            on_shard(name, files)
            before_stop.append(name)
            stop.set()
        return real(groups, *args, on_shard=done, **kwargs)

    monkeypatch.setattr(search, "build_shards", stopped_after_one)
    with pytest.raises(search.BuildCancelled):
        update_search_index(config, caches=caches, cancel=stop)
    monkeypatch.undo()
    monkeypatch.setattr(search, "SHARD_SIZE", 1)
    calls = _indexed_shards(monkeypatch)
    assert update_search_index(config, caches=caches)
    after = calls[0] if calls else []
    assert before_stop and not set(before_stop) & set(after)  # what was done before the stop is not done again
    assert sorted([*before_stop, *after]) == ["recent", "s0", "s2"]  # (May; February and April)
    caches.flush()
    shutil.rmtree(tmp_path / "site")
    build_site(config, now=NOW, caches=CacheFiles(caches.folder))  # and it is the index a clean build makes
    again = {p.relative_to(tmp_path / "site").as_posix(): p.read_bytes() for p in (tmp_path / "site").rglob("*")
             if p.is_file()}
    shutil.rmtree(tmp_path / "site")
    build_site(config, now=NOW, use_cache=False)
    assert again == {p.relative_to(tmp_path / "site").as_posix(): p.read_bytes() for p in (tmp_path / "site").rglob("*")
                     if p.is_file()}
    calls.clear()

    # a new Pagefind: every shard again (bundles of two Pagefinds do not merge)
    monkeypatch.setattr(search, "pagefind_version", lambda binary: "pagefind 9.9.9")
    (tmp_path / "journal/2026-01-10-e1.md").write_text("---\ntitle: 글 1\n---\n또 고쳤다\n", encoding="utf-8")
    build_site(config, now=NOW)
    assert calls == [["recent", "s0", "s1", "s2", "s3"]]
    # ... and in the preview, where the index waits for a pause: the old one stays till then
    calls.clear()
    monkeypatch.setattr(search, "pagefind_version", lambda binary: "pagefind 10.0.0")
    (tmp_path / "journal/2026-01-10-e1.md").write_text("---\ntitle: 글 1\n---\n세 번째\n", encoding="utf-8")
    listing = (tmp_path / "site/pagefind/tilbook.json").read_bytes()
    preview = CacheFiles(caches.folder, keep=True)
    assert build_site(config, now=NOW, caches=preview, search_index=False).search_stale and calls == []
    assert (tmp_path / "site/pagefind/tilbook.json").read_bytes() == listing and (tmp_path / "site/pagefind/s1").is_dir()
    assert update_search_index(config, caches=preview)
    assert calls == [["recent", "s0", "s1", "s2", "s3"]]
