"""After any sequence of edits, an incremental build equals a clean build, byte for byte."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import make_workspace
from tilbook.errors import BuildError
from tilbook.site.build import CacheFiles, build_site

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
DAYS = [f"2026-11-{d:02d}" for d in range(1, 6)]  # few: an entry is often written again
TAGS = ["gan", "pytorch", "파이토치", "GAN", "cuda"]


def entry_text(title: str, tags: list[str], body: str, draft: bool) -> str:
    return f"---\ntitle: {title!r}\ntags: {tags!r}\ndraft: {str(draft).lower()}\n---\n{body}\n"


bodies = st.sampled_from([
    "오늘은 GAN을 공부했다.",
    "오늘은 GAN을 공부했다.\n\n## 정리\n\n판별자가 먼저 이긴다.",  # the same card: only its page and the feed change
    "## 내일 할 일\n- 논문 읽기\n- [ ] 코드 정리",
    "Math $x^2$ and a [link](2026-11-01.md).",
    "```python\nprint('hi')\n```",
    "- [x] done\n- [ ] open (since 2026-10-01)",
    "## 목표\n- [ ] GAN 끝내기 (2026-12-01까지) (2026-10-01부터)",  # a goal: the todo page counts its days left
    "<details>\n<summary>더 보기</summary>\n\n숨은 내용 <b>굵게",  # raw HTML left open: balanced, with warnings
    '"인용"과 -- 대시\n\n??? tip "팁"\n    접힌 내용',  # smarty and pymdownx.details, when configured
    "> [!NOTE]\n> 알아 둘 것\n\n??? warning\n    접힌 경고",  # titled in the site's language
])
# The site's settings: some that parsing reads (`build.parse_settings`: the timezone, the
# tomorrow headings, the Markdown extensions, the address), some it does not (a parsed
# entry is kept across those).
CONFIGS = [
    "site_name: Site A\ntilbook:\n  timezone: Asia/Seoul\n",
    "site_name: Site B\ntilbook:\n  timezone: Asia/Seoul\n",
    "site_name: Site A\nsite_description: 설명\nextra:\n  x: 1\ntilbook:\n  timezone: Asia/Seoul\n  per_page: 1\n"
    "  feed_size: 1\n",
    "site_name: Site A\ntilbook:\n  timezone: UTC\n",
    "site_name: Site A\ntilbook:\n  timezone: Asia/Seoul\n  tomorrow_headings: [정리]\n",
    "site_name: Site A\nsite_url: https://x.github.io/til/\ntilbook:\n  timezone: Asia/Seoul\n",
    "site_name: Site A\ntilbook:\n  timezone: Asia/Seoul\nmarkdown_extensions:\n  - pymdownx.arithmatex\n",
    "site_name: Site A\ntilbook:\n  timezone: Asia/Seoul\nmarkdown_extensions:\n  - pymdownx.details\n  - smarty\n",
    # the language titles untitled admonitions and GitHub alerts ("참고", not "Note")
    "site_name: Site A\ntheme:\n  language: ko\ntilbook:\n  timezone: Asia/Seoul\n",
]
edits = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.sampled_from(DAYS), st.sampled_from(["가", "B", "Same"]),
                  st.lists(st.sampled_from(TAGS), max_size=3), bodies, st.booleans()),
        st.tuples(st.just("delete"), st.sampled_from(DAYS)),
        st.tuples(st.just("config"), st.sampled_from(CONFIGS)),
        # an entry's own address (`permalink`); with {slug}, so two of them meet as slugs do
        st.tuples(st.just("address"), st.sampled_from(DAYS), st.sampled_from(["/{slug}/", "/notes/{year}/{slug}.html", ""])),
        # what the front matter says of the entry itself: its preview picture, summary, authors
        st.tuples(st.just("front"), st.sampled_from(DAYS),
                  st.sampled_from(["image: https://x.org/a.png", "image: pic.png", "description: 요약",
                                   "authors: [Niko]", "pin: true", "image:", "description:", "authors:", "pin:",
                                   # a page of the site (an About page): in the nav, in no list
                                   "page: true", "page:", "nav_order: 1", "nav_order:"])),
    ),
    min_size=1,
    max_size=6,
)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=edits, kept=st.booleans())
# the same entry again, same tags, new title / new body (what a build may remember of it goes stale)
@example(steps=[("write", "2026-11-01", "B", ["gan"], "오늘은 GAN을 공부했다.", False)], kept=True)
@example(steps=[("write", "2026-11-02", "B", ["gan"], "오늘은 GAN을 공부했다.", False),
                ("write", "2026-11-02", "B", ["gan"], "Math $x^2$ and a [link](2026-11-01.md).", False)], kept=True)
# a neighbour's new title (the next entry's page links to it); a linked entry's new address
# (not a neighbour); a tag's shown spelling changing with its count (an untouched entry has it)
@example(steps=[("write", "2026-11-02", "B", ["gan"], "오늘은 GAN을 공부했다.", False),
                ("write", "2026-11-01", "가", ["gan"], "start", False)], kept=True)
@example(steps=[("write", "2026-11-02", "B", ["cuda"], "오늘은 GAN을 공부했다.", False),
                ("write", "2026-11-03", "가", ["cuda"], "Math $x^2$ and a [link](2026-11-01.md).", False),
                ("write", "2026-11-01", "Same", ["gan"], "start", False)], kept=True)
@example(steps=[("write", "2026-11-02", "B", ["GAN"], "오늘은 GAN을 공부했다.", False),
                ("write", "2026-11-03", "가", ["GAN"], "start", False)], kept=True)
# a body edited alone, in a warm process and in fresh ones, then its card and a neighbour
@example(steps=[("write", "2026-11-02", "B", ["gan"], "오늘은 GAN을 공부했다.", False),
                ("write", "2026-11-02", "B", ["gan"], "오늘은 GAN을 공부했다.\n\n## 정리\n\n판별자가 먼저 이긴다.", False),
                ("write", "2026-11-03", "B", ["gan"], "start", False),
                ("write", "2026-11-02", "B", ["gan"], "오늘은 GAN을 공부했다.", False)], kept=True)
@example(steps=[("write", "2026-11-02", "B", ["gan"], "오늘은 GAN을 공부했다.", False),
                ("write", "2026-11-02", "B", ["gan"], "오늘은 GAN을 공부했다.\n\n## 정리\n\n판별자가 먼저 이긴다.", False),
                ("write", "2026-11-01", "B", ["gan"], "start", False),
                ("write", "2026-11-02", "B", ["gan"], "오늘은 GAN을 공부했다.", False)], kept=False)
# an own permalink given, then taken back while another entry has the same slug
@example(steps=[("write", "2026-11-02", "B", ["gan"], "start", False), ("address", "2026-11-02", "/{slug}/"),
                ("write", "2026-11-03", "B", ["gan"], "start", False), ("address", "2026-11-03", "/{slug}/"),
                ("address", "2026-11-02", "")], kept=True)
# an entry becomes a page (another links to it), its body is edited alone, it is an entry again
@example(steps=[("write", "2026-11-02", "B", ["gan"], "Math $x^2$ and a [link](2026-11-01.md).", False),
                ("front", "2026-11-01", "page: true"), ("write", "2026-11-01", "first", ["gan"], "더 쓴 글", False),
                ("front", "2026-11-01", "page: true"), ("front", "2026-11-01", "page:")], kept=False)
def test_incremental_equals_clean(tmp_path_factory, steps, kept):
    """`kept`: the caches stay in memory between builds, as `serve` keeps them: unchanged
    entries are then the same objects from build to build, and what collect_site remembers
    about them (cards, page keys) is reused."""
    root = tmp_path_factory.mktemp("inc")
    config = make_workspace(root, {"2026-11-01.md": entry_text("first", ["gan"], "start", False)})
    caches = CacheFiles(root / ".tilbook" / "cache", keep=True) if kept else None
    build_site(config, now=NOW, caches=caches)
    for step in steps:
        if step[0] == "write":
            _, day, title, tags, body, draft = step
            (root / "journal" / f"{day}.md").write_text(entry_text(title, tags, body, draft), encoding="utf-8")
        elif step[0] == "delete":
            (root / "journal" / f"{step[1]}.md").unlink(missing_ok=True)
        elif step[0] == "address":
            path = root / "journal" / f"{step[1]}.md"
            if path.exists():
                text = re.sub(r"^permalink: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M)
                path.write_text(text.replace("---\n", f"---\npermalink: {step[2]!r}\n" if step[2] else "---\n", 1),
                                encoding="utf-8")
        elif step[0] == "front":  # `key: value` set, or `key:` taken out
            path = root / "journal" / f"{step[1]}.md"
            key, _, value = step[2].partition(":")
            if path.exists():
                text = re.sub(rf"^{key}: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M)
                path.write_text(text.replace("---\n", f"---\n{key}:{value}\n" if value else "---\n", 1),
                                encoding="utf-8")
        else:
            (root / "mkdocs.yml").write_text(step[1], encoding="utf-8")
            from tilbook.config import load_config

            config = load_config(root / "mkdocs.yml")
        build_site(config, now=NOW, caches=caches)
    incremental = files(root / "site")
    shutil.rmtree(root / "site")
    shutil.rmtree(root / ".tilbook")
    build_site(config, now=NOW, use_cache=False)  # nothing from the builds above, in memory either
    assert files(root / "site") == incremental


def test_a_config_edit_parses_the_entries_again_only_when_parsing_reads_it(tmp_path, monkeypatch):
    """A new description, page size or `extra` keeps every parsed entry (it parsed all of
    them again: 3 s of 2,000); a new timezone, tomorrow heading, Markdown extension, address
    or language parses them again. Each build equals a clean one."""
    import tilbook.site.bodies as bodies
    from tilbook.config import load_config

    config = make_workspace(tmp_path, {f"2026-11-0{d}.md": entry_text(f"글 {d}", ["gan"], text, False)
                                       for d, text in enumerate(["## 내일 할 일\n- 논문 읽기\n\n## 정리\n- 코드 정리",
                                                                  "Math $x^2$ and a [link](2026-11-01.md)."], 1)},
                            config=CONFIGS[0])
    build_site(config, now=NOW)
    parsed: list[str] = []
    monkeypatch.setattr(bodies, "parse_and_render",
                        lambda paths, *a, real=bodies.parse_and_render: parsed.extend(map(str, paths)) or real(paths, *a))
    steps = [(1, False), (2, False), (0, False)] + [(n, True) for one in (3, 4, 5, 6, 8) for n in (one, 0)]
    for text, again in [(CONFIGS[n], again) for n, again in steps]:  # each setting parsing reads, alone
        (tmp_path / "mkdocs.yml").write_text(text, encoding="utf-8")
        parsed.clear()
        build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW)
        assert len(parsed) == (2 if again else 0), text
        site = files(tmp_path / "site")
        clean = tmp_path.parent / (tmp_path.name + "-clean")
        shutil.copytree(tmp_path, clean, ignore=shutil.ignore_patterns("site", ".tilbook"))
        build_site(load_config(clean / "mkdocs.yml"), now=NOW, use_cache=False)
        assert files(clean / "site") == site, text
        shutil.rmtree(clean)


def test_a_fresh_checkout_with_the_cache_and_site_restored_renders_only_what_changed(tmp_path):
    """What the GitHub Pages workflow does on each push: a new checkout (every file a new
    stat), `.tilbook/cache` and `site/` restored from the last run, one entry edited. Only
    what shows that entry is made again, and the site equals a clean build."""
    from tilbook.config import load_config

    entries = {f"2026-11-0{d}.md": entry_text(f"글 {d}", ["gan", "파이토치"][: d % 3],
                                              f"{d}일째 공부.\n\n```python\nprint({d})\n```", False) for d in range(1, 6)}
    last = make_workspace(tmp_path / "last", entries)
    build_site(last, now=NOW)
    ci = tmp_path / "ci"
    (ci / "journal").mkdir(parents=True)
    for path in (tmp_path / "last").glob("journal/*.md"):  # a checkout: contents only, new stats
        shutil.copyfile(path, ci / "journal" / path.name)
    shutil.copyfile(tmp_path / "last/mkdocs.yml", ci / "mkdocs.yml")
    shutil.copytree(tmp_path / "last/.tilbook/cache", ci / ".tilbook/cache")  # restored by actions/cache
    shutil.copytree(tmp_path / "last/site", ci / "site")
    (ci / "journal/2026-11-03.md").write_text(entry_text("글 3", [], "고쳐 쓴 본문.", False), encoding="utf-8")
    result = build_site(load_config(ci / "mkdocs.yml"), now=NOW)
    assert "2026/11/03/글-3/index.html" in result.changed
    # (its neighbours' pages are rendered again too: a custom theme may show their cards)
    assert not any(p.startswith(("2026/11/01/", "2026/11/05/")) for p in result.changed), result.changed
    assert len(result.changed) < result.total // 3
    restored = files(ci / "site")
    shutil.rmtree(ci / "site")
    shutil.rmtree(ci / ".tilbook")
    build_site(load_config(ci / "mkdocs.yml"), now=NOW, use_cache=False)
    assert files(ci / "site") == restored


def test_a_term_counted_anew_leaves_the_other_entries_pages_as_they_were(tmp_path):
    """The day's new entry in a category every entry is in, and an entry given a tag others
    have: the term's count changes, but no entry page shows it, so the other entries' pages
    are not made again (each was, once for every new entry). The term pages and the lists
    that show the edited entry are, and the site equals a clean build."""
    from tilbook.config import load_config

    def write(day: int, tags: list[str]) -> None:
        (tmp_path / "journal").mkdir(exist_ok=True)
        (tmp_path / f"journal/2026-11-{day:02d}.md").write_text(
            f"---\ntitle: 글 {day}\ncategories: [TIL]\ntags: {tags!r}\n---\n{day}일째 공부.\n", encoding="utf-8")

    config = make_workspace(tmp_path, {}, config="site_name: t\ntilbook:\n  timezone: Asia/Seoul\n  search: false\n")
    for day in range(1, 9):
        write(day, ["gan", "cuda"] if day % 2 else ["cuda"])
    build_site(config, now=NOW)
    pages = {p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site/2026/11").rglob("index.html")}
    assert len(pages) == 8

    write(9, ["gan"])  # a new entry: TIL's count, gan's count
    changed = set(build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW).changed)
    assert changed & pages == {"2026/11/08/글-8/index.html"}, changed  # (its "next" link)
    assert {"2026/11/09/글-9/index.html", "categories/til/index.html", "tags/gan/index.html",
            "categories/index.html", "tags/index.html", "index.html"} <= changed
    assert "tags/cuda/index.html" not in changed

    write(4, ["cuda", "gan"])  # an existing tag given to an entry
    changed = set(build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW).changed)
    assert changed & pages == {f"2026/11/0{d}/글-{d}/index.html" for d in (3, 4, 5)}, changed  # (and its neighbours)
    assert 'href="/tags/gan/">#gan' in (tmp_path / "site/2026/11/04/글-4/index.html").read_text(encoding="utf-8")
    assert "tags/gan/index.html" in changed and "tags/cuda/index.html" in changed  # (its card there shows the tag)

    incremental = files(tmp_path / "site")
    shutil.rmtree(tmp_path / "site")
    shutil.rmtree(tmp_path / ".tilbook")
    build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW, use_cache=False)
    assert files(tmp_path / "site") == incremental


BODY_EDITS = {
    # what is written again → (what its page shows then, whether only its page and the feed show it)
    "a paragraph after the first": ("{d}일째 공부.\n\n고쳐 쓴 둘째 문단.\n\n```python\nprint(3)\n```", "고쳐 쓴", True),
    "a heading (the page's contents)": ("{d}일째 공부.\n\n## 새 절\n\n## 또 한 절\n\n## 셋째 절\n\n본문.", "셋째 절", True),
    "the first paragraph (the card's excerpt)": ("고쳐 쓴 첫 문단.\n\n둘째 문단.", "고쳐 쓴", False),
    "enough words for another minute's reading": ("{d}일째 공부.\n\n" + "단어 " * 400, "단어 단어", False),
    "an open item (the todo page)": ("{d}일째 공부.\n\n- [ ] 코드 정리", "코드 정리", False),
    "a link to another entry": ("{d}일째 공부.\n\n[첫날](2026-11-01.md) [넷째 날](2026-11-04.md#둘째)", "/2026/11/04/", True),
    "math (KaTeX on the site)": ("{d}일째 공부.\n\n$x^2$", "x^2", False),
}


@pytest.mark.parametrize("search", [False, True])
@pytest.mark.parametrize("edit", BODY_EDITS)
def test_a_body_edited_alone_remakes_its_page_and_the_feed_only(tmp_path, monkeypatch, edit, search):
    """A writer adding to an entry (the usual edit): when nothing shows on other pages (the
    same title, tags, excerpt, reading time, todos, links), a build in a fresh process parses
    that entry alone and makes its page and the feed again from what the last build kept,
    without reading the rest of the journal's caches or collecting the site. Otherwise
    the whole build runs. Either way the site equals a clean build."""
    import tilbook.site.build as build
    import tilbook.site.collect as collect
    from tilbook.config import load_config

    text, shown, alone = BODY_EDITS[edit]
    entries = {f"2026-11-0{d}.md": entry_text(f"글 {d}", ["gan"], f"{d}일째 공부.\n\n둘째 문단.\n\n```python\nprint({d})\n```",
                                              False) for d in range(1, 6)}
    config = make_workspace(tmp_path, entries, config=f"site_name: t\ntilbook:\n  timezone: Asia/Seoul\n"
                                                      f"  search: {str(search).lower()}\n  feed_size: 3\n"
                                                      "markdown_extensions:\n  - pymdownx.arithmatex\n")
    build_site(config, now=NOW)
    for day in ("03", "01"):  # an entry in the feed (the newest 3), then one that is not
        (tmp_path / f"journal/2026-11-{day}.md").write_text(
            entry_text(f"글 {int(day)}", ["gan"], text.replace("{d}", str(int(day))), False), encoding="utf-8")
        whole = []
        monkeypatch.setattr(collect, "collect_site", lambda *a, real=collect.collect_site, **k: whole.append(1) or real(*a, **k))
        monkeypatch.setattr(build, "_load_entries", lambda *a, real=build._load_entries: whole.append(1) or real(*a))
        collect.forget_earlier_builds()  # a fresh process
        result = build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW)
        monkeypatch.undo()
        assert not whole == alone, edit
        page = f"2026/11/{day}/글-{int(day)}/index.html"
        assert shown in (tmp_path / "site" / page).read_text(encoding="utf-8")
        if alone:
            pages = {p for p in result.changed if not p.startswith("pagefind/")}
            assert pages == ({page, "feed.xml"} if day == "03" else {page})
            assert any(p.startswith("pagefind/") for p in result.changed) == search
    incremental = files(tmp_path / "site")
    shutil.rmtree(tmp_path / "site")
    shutil.rmtree(tmp_path / ".tilbook")
    build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW, use_cache=False)
    assert files(tmp_path / "site") == incremental


@pytest.mark.parametrize("reader", ["todo", "check"])
def test_a_body_edit_read_by_todo_or_check_first_is_still_built_alone(tmp_path, monkeypatch, reader):
    """`todo`, `new` and `check` read the journal through the build's caches; what they
    parse of a few edited entries is not kept, so the next build still finds the body edit
    against its own last build and makes that page alone."""
    import tilbook.site.build as build
    import tilbook.site.collect as collect
    from tilbook.config import load_config

    entries = {f"2026-11-0{d}.md": entry_text(f"글 {d}", ["gan"], f"{d}일째 공부.\n\n둘째 문단.", False) for d in range(1, 4)}
    config = make_workspace(tmp_path, entries, config="site_name: t\ntilbook:\n  timezone: Asia/Seoul\n  search: false\n")
    build_site(config, now=NOW)
    (tmp_path / "journal/2026-11-02.md").write_text(entry_text("글 2", ["gan"], "2일째 공부.\n\n고친 둘째 문단.", False),
                                                   encoding="utf-8")
    if reader == "todo":
        assert len(build.read_journal(load_config(tmp_path / "mkdocs.yml")).entries) == 3
    else:
        assert build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW, drafts=True, check_only=True).entries == 3
    whole: list[int] = []
    monkeypatch.setattr(collect, "collect_site", lambda *a, real=collect.collect_site, **k: whole.append(1) or real(*a, **k))
    collect.forget_earlier_builds()
    result = build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW)
    assert whole == [] and set(result.changed) == {"2026/11/02/글-2/index.html", "feed.xml"}


def test_a_body_edit_after_a_draft_edit_or_a_lost_cache_is_built_whole_or_alone_as_it_must(tmp_path):
    """What a build for a body edit starts from must be the last build's: a draft has no
    page to make, and a deleted cache file sends the build the whole way."""
    from tilbook.config import load_config

    entries = {"2026-11-01.md": entry_text("글 1", ["gan"], "첫째.\n\n둘째.", False),
               "2026-11-02.md": entry_text("초안", ["gan"], "첫째.\n\n둘째.", True)}
    config = make_workspace(tmp_path, entries, config="site_name: t\ntilbook:\n  timezone: Asia/Seoul\n  search: false\n")
    build_site(config, now=NOW)
    (tmp_path / "journal/2026-11-02.md").write_text(entry_text("초안", ["gan"], "첫째.\n\n고친 둘째.", True), encoding="utf-8")
    assert build_site(config, now=NOW).changed == ()  # a draft: no page shows its body
    for cache in sorted((tmp_path / ".tilbook/cache").glob("entry-pages-*.pkl")):
        cache.unlink()
    (tmp_path / "journal/2026-11-01.md").write_text(entry_text("글 1", ["gan"], "첫째.\n\n고친 둘째.", False), encoding="utf-8")
    assert "2026/11/01/글-1/index.html" in build_site(config, now=NOW).changed
    (tmp_path / "journal/2026-11-01.md").write_text(entry_text("글 1", ["gan"], "첫째.\n\n또 고친 둘째.", False), encoding="utf-8")
    assert set(build_site(config, now=NOW).changed) == {"2026/11/01/글-1/index.html", "feed.xml"}
    # a link to a notebook must name one an entry names: a build checks that, whatever else changed
    (tmp_path / "journal/2026-11-01.md").write_text(entry_text("글 1", ["gan"], "첫째.\n\n[노트북](nb:gan)", False),
                                                  encoding="utf-8")
    with pytest.raises(BuildError, match="no entry's front matter names"):
        build_site(config, now=NOW)
    (tmp_path / "journal/2026-11-01.md").write_text(entry_text("글 1", ["gan"], "첫째.\n\n또 고친 둘째.", False),
                                                  encoding="utf-8")
    incremental = files(tmp_path / "site")
    shutil.rmtree(tmp_path / "site")
    shutil.rmtree(tmp_path / ".tilbook")
    build_site(load_config(tmp_path / "mkdocs.yml"), now=NOW, use_cache=False)
    assert files(tmp_path / "site") == incremental
