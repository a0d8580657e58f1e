"""parse_entry: text in, Entry out. Fixture workspaces cover the byte-level cases."""

import datetime as dt
import json
import math
import unicodedata
from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES, make_workspace
from tilbook.config import load_config
from tilbook.errors import EntryError
from tilbook.journal import load_entry, load_journal, parse_entry

KST = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("ws"))


_PROPERTY_CONFIG = [load_config(FIXTURES / "broken" / "mkdocs.yml")]  # (a module's fixture, for @given)


def parse(config, text, name="2024-03-05-entry.md", **kw):
    return parse_entry(text, PurePosixPath(name), config=config, **kw)


def errors_of(config, text, name="2024-03-05-entry.md"):
    with pytest.raises(EntryError) as info:
        parse(config, text, name)
    return [p.format() for p in info.value.problems if p.is_error]


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-06-16 10:00:00 +0900", dt.datetime(2025, 6, 16, 10, 0, tzinfo=KST)),
        ("2025-06-16 10:00:00 +09:00", dt.datetime(2025, 6, 16, 10, 0, tzinfo=KST)),
        ("2025-06-16T10:00:00+09:00", dt.datetime(2025, 6, 16, 10, 0, tzinfo=KST)),
        ("2025-10-20 0:00:00 +0900", dt.datetime(2025, 10, 20, 0, 0, tzinfo=KST)),
        ("2025-06-16T01:00:00Z", dt.datetime(2025, 6, 16, 1, 0, tzinfo=dt.timezone.utc)),
        ("2021-1-5", dt.datetime(2021, 1, 5, tzinfo=KST)),
        ("2025-06-16 21:30", dt.datetime(2025, 6, 16, 21, 30, tzinfo=KST)),
    ],
)
def test_date_forms(config, written, expected):
    entry = parse(config, f"---\ndate: {written}\n---\nbody\n", name="x.md")
    assert entry.date == expected
    assert entry.date.utcoffset() == expected.utcoffset()
    assert entry.date_source == "front matter"


def test_day_is_the_calendar_day_in_the_authors_offset(config):
    # 08:00 in Seoul on March 7 is March 6 in UTC and in Los Angeles; the entry's day is March 7.
    entry = parse(config, "---\ndate: 2021-03-07 08:00:00 +0900\n---\n", name="x.md")
    assert entry.day == dt.date(2021, 3, 7)
    midnight = parse(config, "---\ndate: 2025-10-20 0:00:00 +0900\n---\n", name="x.md")
    assert midnight.day == dt.date(2025, 10, 20)


def test_naive_time_takes_the_config_zone(tmp_path):
    config = make_workspace(tmp_path, config="site_name: x\ntilbook:\n  timezone: America/Los_Angeles\n")
    entry = parse_entry("---\ndate: 2024-03-10 23:30\n---\n", "x.md", config=config)
    assert entry.date.tzinfo.key == "America/Los_Angeles"
    assert entry.day == dt.date(2024, 3, 10)


def test_date_from_file_name_and_folders(config):
    assert parse(config, "body", "2024-03-05-autoencoder.md").day == dt.date(2024, 3, 5)
    assert parse(config, "body", "2024/03/05.md").day == dt.date(2024, 3, 5)
    assert parse(config, "body", "2024/03/05-gan.md").day == dt.date(2024, 3, 5)
    entry = parse(config, "body", "2024/03/05-gan.md")
    assert entry.date_source == "file name" and entry.slug == "gan"
    assert entry.date.tzinfo.key == "Asia/Seoul"


def test_front_matter_wins_over_file_name_with_a_warning(config):
    entry = parse(config, "---\ndate: 2024-11-10\n---\n", "2024-11-06-python-dev.md")
    assert entry.day == dt.date(2024, 11, 10)
    assert [w.format() for w in entry.warnings] == [
        "2024-11-06-python-dev.md:2: warning: front matter 'date': date 2024-11-10 differs from the file name's "
        "2024-11-06; using the front matter\n"
        "  hint: rename the file or fix the date if this is a typo (Jekyll also lets front matter win)"
    ]


def test_zola_path_gives_the_date_and_slug(config):
    text = '+++\npath = "inside-rust/2022/01/31/changes-in-the-core-team"\ntitle = "Changes"\n+++\nbody\n'
    entry = parse(config, text, "changes-in-the-core-team@0.md")
    assert entry.day == dt.date(2022, 1, 31)
    assert entry.date_source == "front matter path"
    assert entry.slug == "changes-in-the-core-team"


def test_fallback_date_is_used_and_mtime_warns(config):
    when = dt.datetime(2023, 1, 2, 3, 4, tzinfo=KST)
    entry = parse(config, "# Title\n", "topic/thing.md", fallback_date=(when, "mtime"))
    assert entry.date == when and entry.date_source == "mtime"
    assert "modification time (2023-01-02)" in entry.warnings[0].message
    git = parse(config, "# Title\n", "topic/thing.md", fallback_date=(when, "git"))
    assert git.date_source == "git" and git.warnings == ()


def test_no_date_anywhere_is_an_error(config):
    assert errors_of(config, "# Title\n", "notes.md") == [
        "notes.md:1: no date: none in the front matter or the file name\n"
        "  hint: add a line date: YYYY-MM-DD to the front matter, or name the file YYYY-MM-DD-slug.md"
    ]


def test_impossible_dates_are_errors_with_lines(config):
    assert errors_of(config, "---\ntitle: x\ndate: 2021-02-30\n---\n", "x.md") == [
        "x.md:3: front matter 'date': 2021-02-30 is not a real date\n  hint: February 2021 has 28 days"
    ]
    assert errors_of(config, "---\ndate: 2024-13-01\n---\n", "x.md")[0].startswith(
        "x.md:2: front matter 'date': 2024-13-01 is not a real date"
    )
    assert errors_of(config, "---\ndate: 2024-01-05 24:00\n---\n", "x.md")[0].startswith(
        "x.md:2: front matter 'date': 24:00:00 is not a time of day"
    )
    assert errors_of(config, "---\ndate: yesterday\n---\n", "x.md")[0].startswith(
        "x.md:2: front matter 'date': expected a date like 2024-03-05"
    )
    assert errors_of(config, "body", "2021-02-29-x.md") == [
        "2021-02-29-x.md: the file name's date 2021-02-29 is not a real date\n"
        "  hint: rename the file to a real date, or write the date in the front matter"
    ]


def test_updated_date(config):
    entry = parse(config, "---\nlast_modified_at: 2024-03-09\n---\n")
    assert entry.updated == dt.datetime(2024, 3, 9, tzinfo=entry.date.tzinfo)


# --- front matter --------------------------------------------------------------------------


def test_yaml_oddities_load(config):
    text = """---
layout: post
title:  "[PyTorch] 모델을 똑똑하게 학습시키는 트레이너, torch.optim" 
date:   2025-06-16 10:00:00 +0900
categories: [PyTorch, torch.optim]
comments: true     # 댓글 기능 사용 (옵션)
image:
    path: /assets/img/focal.png
#   lqip: data:image/jpeg;base64,/9j/4AAQSkZJRg
redirect_from:
  - /kaggle(캐글)/
typora-copy-images-to: ../images/2020-12-25

---
body
"""
    entry = parse(config, text)
    assert entry.title == "[PyTorch] 모델을 똑똑하게 학습시키는 트레이너, torch.optim"
    assert entry.categories == ("PyTorch", "torch.optim")
    assert entry.front_matter.data["image"] == {"path": "/assets/img/focal.png"}
    assert entry.front_matter.lines["redirect_from"] == 10
    assert entry.body == "body\n"
    assert entry.body_line == 15


def test_unquoted_colon_in_title_is_read_with_a_warning(config):
    entry = parse(config, "---\ntitle: Part 1: basics\n---\n")
    assert entry.title == "Part 1: basics"
    assert entry.warnings[0].line == 2 and "quote" in entry.warnings[0].hint


def test_scalars_keep_their_written_text(config):
    entry = parse(config, "---\ntitle: 1.10\ntags: [2024, python, yes]\n---\n")
    assert entry.title == "1.10"
    assert entry.tags == ("2024", "python", "true")


def test_bad_yaml_reports_the_files_line(config):
    assert errors_of(config, "---\ntitle: x\ntags: [a, b\ndate: 2024-01-03\n---\n") == [
        "2024-03-05-entry.md:3: invalid YAML: the '[' opened here is never closed (did not find expected ',' or ']')\n"
        "  hint: end the list with ']' on the same line, or quote the value"
    ]


def test_a_hash_in_front_of_a_tag_is_a_yaml_comment_and_says_so(config):
    """`tags: [#파이썬, #딥러닝]` blamed a '{' on the line after the front matter; `tags: #파이썬`
    left the entry with no tags and no word."""
    assert errors_of(config, "---\ntitle: x\ntags: [#파이썬, #딥러닝]\n---\n") == [
        "2024-03-05-entry.md:3: invalid YAML: the '[' opened here is never closed (did not find expected node content)\n"
        "  hint: '#' there starts a YAML comment: leave it out, or quote the item: [\"#파이썬\"]"
    ]
    entry = parse(config, "---\ntitle: x\ntags: #파이썬\n---\n")
    assert entry.tags == ()
    assert [w.format() for w in entry.warnings] == [
        "2024-03-05-entry.md:3: warning: front matter 'tags': tags is empty: '#' after a space starts a YAML comment\n"
        "  hint: quote the value: tags: \"#...\" (or leave out the #)"
    ]
    assert not parse(config, "---\ntitle: x\ntags:   # none yet\n---\n").warnings  # a comment meant as one


def test_front_matter_that_is_not_a_mapping(config):
    assert errors_of(config, "---\n- a\n- b\n---\n")[0].startswith(
        "2024-03-05-entry.md:2: expected 'key: value' lines, got a list\n  hint: write one 'key: value' per line"
    )


def test_unclosed_front_matter(config):
    assert errors_of(config, "---\ntitle: x\nbody\n") == [
        "2024-03-05-entry.md:1: front matter opened with '---' on line 1 never closes\n"
        "  hint: end the front matter with a line of three dashes: ---"
    ]


def test_toml_front_matter(config):
    entry = parse(config, '+++\ntitle = "Zola"\ndate = 2024-03-05T21:00:00+09:00\ntags = ["a"]\n[extra]\nteam = "x"\n+++\nBody\n')
    assert (entry.title, entry.tags, entry.front_matter.format) == ("Zola", ("a",), "toml")
    assert entry.date == dt.datetime(2024, 3, 5, 21, tzinfo=KST)
    assert entry.front_matter.data["extra"] == {"team": "x"}


def test_zolas_taxonomies_table_gives_tags_and_categories(config):
    entry = parse(config, '+++\ntitle = "Zola"\n[taxonomies]\ntags = ["rust", "러스트"]\ncategories = ["lang"]\n+++\nBody\n')
    assert (entry.tags, entry.categories) == (("rust", "러스트"), ("lang",))
    top = parse(config, '+++\ntitle = "Zola"\ntags = ["top"]\n[taxonomies]\ntags = ["inner"]\ncategories = ["lang"]\n+++\n')
    assert (top.tags, top.categories) == (("top",), ("lang",))  # a top-level key wins
    errors = errors_of(config, '+++\ntitle = "x"\n\n[taxonomies]\ntags = { a = 1 }\n+++\n')
    assert errors == ["2024-03-05-entry.md:4: front matter 'taxonomies.tags': expected a list, got a mapping\n"
                      '  hint: write tags = ["one", "two"]']


def test_toml_error_has_the_files_line(config):
    errors = errors_of(config, '+++\ntitle = "ok"\ntags = [a]\n+++\n')
    assert errors[0].startswith("2024-03-05-entry.md:3: invalid TOML front matter:")


def test_front_matter_only_at_the_very_start(config):
    text = "# Hugo basics\n\n```\n---\ntitle: example\n---\n```\n"
    entry = parse(config, text)
    assert entry.front_matter.format == "none" and entry.title == "Hugo basics"


# --- title, slug, terms, drafts -------------------------------------------------------------


def test_title_fallbacks(config):
    assert parse(config, "# 머리말 없는 글\n\ntext").title == "머리말 없는 글"
    heading = parse(config, "Intro\n\n## Using `jq` with **bold**\n")
    assert (heading.title, heading.title_source) == ("Using jq with bold", "heading")
    named = parse(config, "just text", "2024-03-05-python-가상환경-설정.md")
    assert (named.title, named.title_source) == ("python 가상환경 설정", "file name")
    assert parse(config, "---\ntitle:   \n---\n# Heading\n").title == "Heading"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("2019-11-12-kaggle(캐글)-Titanic-생존자예측-81%이상-달성하기.md", "kaggle-캐글-titanic-생존자예측-81-이상-달성하기"),
        ("2025-06-19-git init.md", "git-init"),
        ("MIR/index.md", "mir"),
        ("2024-03-05-Hello_World.md", "hello-world"),
    ],
)
def test_slugs_keep_hangul_and_drop_url_trouble(config, name, slug):
    assert parse(config, "---\ndate: 2024-03-05\n---\n", name).slug == slug


def test_slug_from_front_matter_or_title(config):
    assert parse(config, "---\nslug: 내 글\n---\n").slug == "내-글"
    assert parse(config, "---\ntitle: 오늘의 기록\n---\n", "2025-11-20.md").slug == "오늘의-기록"
    assert parse(config, "# 금요일 공부\n", "2025-11-21.md").slug == "금요일-공부"


def test_an_untitled_entry_named_by_its_date_gets_the_default_slug_not_its_date_again(config):
    """`2025/11/22.md` with no title or heading: /2025/11/22/til/, as `tilbook new` names
    an untitled entry, not /2025/11/22/2025-11-22/. A title with no letters gets it too."""
    untitled = parse(config, "오늘은 짧게.\n", "2025-11-22.md")
    assert (untitled.title, untitled.slug) == ("2025-11-22", "til")
    assert parse(config, "---\ntitle: 🎉🎉\n---\n", "2025-11-23.md").slug == "til"
    assert parse(config, "짧게\n", "2025-11-24-짧은-메모.md").slug == "짧은-메모"


@pytest.mark.parametrize(("written", "address"), [
    ("/about/", "/about/"),
    ("/about", "/about/"),  # as Jekyll serves it
    ("/notes/{year}/{slug}.html", "/notes/2024/entry.html"),
    ("/{category}/오늘/", "/오늘/"),  # no category: the empty part goes, as with tilbook.permalink
])
def test_an_entry_s_own_permalink_is_its_address(config, written, address):
    entry = parse(config, f"---\npermalink: {written}\n---\n")
    assert entry.url(config.tilbook.permalink) == address
    assert parse(config, "---\ntitle: x\n---\n").permalink is None


@pytest.mark.parametrize(("written", "message"), [
    ("../../x", "'../../x' would leave the site's folder"),
    ("/a/../../x/", "'/a/../../x/' would leave the site's folder"),
    ('"/a\\\\b/"', "would leave the site's folder"),
    ("about/", "'about/' does not start with '/'"),
    ("https://old.example.org/a/", "is a full URL; a permalink is a path on this site"),
    ("/:year/:title/", "has Jekyll's placeholders (:year, :title, ...); tilbook's are written {year}, {slug}"),
    ("/{title}/", "has an unknown field {title}"),
    ("/feed.xml", "must end with '/' or '.html'"),
    ("/a?b=1", "has '?', '#' or '//' in it"),
    ("[/a/, /b/]", "expected a path, got ['/a/', '/b/']"),
])
def test_a_permalink_that_is_no_address_on_the_site_is_an_error_at_its_line(config, written, message):
    problems = errors_of(config, f"---\ntitle: x\npermalink: {written}\n---\n")
    assert len(problems) == 1 and problems[0].startswith("2024-03-05-entry.md:3: front matter 'permalink': ")
    assert message in problems[0] and "hint: write it as a path from the site's root" in problems[0]


_PATH_PIECES = st.sampled_from(["/", "/", "..", ".", "a", "{year}", "{slug}", "{category}", ".html", "\\", "?", "#",
                                ":title", "한글", " ", "%2e", "{", "}", "~"])


@given(st.one_of(st.text(max_size=30), st.lists(_PATH_PIECES, max_size=8).map("".join)))
def test_every_permalink_accepted_stays_in_the_site(value):
    """Whatever is written, a permalink is an error or an address whose file is inside
    site/ (`safe_relative` refuses the others as the build writes)."""
    from tilbook.site.collect import output_file
    from tilbook.site.write import safe_relative

    config = _PROPERTY_CONFIG[0]
    text = "---\npermalink: " + json.dumps(value) + "\n---\n"
    try:
        entry = parse(config, text)
    except EntryError:
        return
    if entry.permalink is None:  # a value YAML reads as nothing (or removed control characters)
        return
    address = entry.url(config.tilbook.permalink)
    assert address.startswith("/") and address.endswith(("/", ".html")) and "//" not in address
    assert safe_relative(output_file(address)).parts


def test_tags_and_categories_normalised(config):
    text = "---\ncategories: tensorflow keras\ncategory: Extra\ntags:\n  - [Liquid, Blog]\n  - liquid\n  - ' 데이터 분석 '\n---\n"
    entry = parse(config, text)
    assert entry.categories == ("tensorflow", "keras", "Extra")
    assert entry.tags == ("Liquid", "Blog", "데이터 분석")
    assert parse(config, "---\ntags: python\n---\n").tags == ("python",)
    assert parse(config, "---\ntags: a, b c\n---\n").tags == ("a", "b c")


def test_drafts(config):
    assert parse(config, "---\ndraft: true\n---\n").draft
    assert parse(config, "---\npublished: False\n---\n").draft
    assert parse(config, "---\npublished: true\n---\n").draft is False
    assert parse(config, "body", "_drafts/2024-03-05-idea.md").draft
    assert errors_of(config, "---\ndraft: maybe\n---\n") == [
        "2024-03-05-entry.md:2: front matter 'draft': expected true or false, got 'maybe'\n"
        "  hint: write draft: true or draft: false"
    ]


def test_future_entries(config):
    entry = parse(config, "---\ndate: 9999-01-01\n---\n")
    assert entry.is_future(dt.datetime.now(KST))


# --- body ------------------------------------------------------------------------------------


def test_braces_in_bodies_are_text(config):
    body = "{{ site.baseurl }} {% raw %}{{ x }}{% endraw %} ${{ toJson(github) }} {% for a in b %}\n"
    entry = parse(config, "---\ntitle: \"{{ t }}\"\n---\n" + body)
    assert entry.body == body
    assert entry.title == "{{ t }}"


def test_excerpt(config):
    assert parse(config, "# T\n\nFirst para\nline two.\n\nSecond.\n").excerpt == "First para\nline two."
    more = parse(config, "Intro.\n\nMore intro.\n\n<!-- more -->\n\nRest.\n")
    assert more.excerpt == "Intro.\n\nMore intro."
    inline = parse(config, "Intro <!--more--> rest.\n")
    assert inline.excerpt == "Intro"
    # a sentence that goes on into a list on the next line says so; one that ends does not
    for gap in ("", "\n"):
        goes_on = parse(config, f"흔한 방법은 레이블을 임베딩해서\n{gap}- 생성자에 붙이고\n- 판별자에 붙이는 것이다.\n")
        assert goes_on.excerpt == "흔한 방법은 레이블을 임베딩해서…"
    assert parse(config, "Two causes, in this order:\n- one\n- two\n").excerpt == "Two causes, in this order:"
    assert parse(config, "오늘은 쉬었다\n\n## 내일\n").excerpt == "오늘은 쉬었다"  # no list goes on from it


def test_excerpt_that_goes_on_into_display_math():
    """As the site parses a body with math on: the sentence before a `$$` block goes on into
    it, and the card says so; one that ends before it does not."""
    from tilbook.journal.body import scan_body
    from tilbook.site.markdown import MarkdownOptions, parser

    math = parser(MarkdownOptions(math=True, admonition=False, attr_list=False, def_list=False, nl2br=False,
                                  toc_depth=3))

    def excerpt(body: str) -> str:
        return scan_body(body, first_line=1, tomorrow_headings=(), tokens=math.parse(body, {})).excerpt

    assert excerpt("특징 맵을 $F^l$로 펼치면\n\n$$\nG = F F^\\top\n$$\n\n이다.\n") == "특징 맵을 $F^l$로 펼치면…"
    assert excerpt("그람 행렬은 이렇다.\n\n$$\nG = F F^\\top\n$$\n") == "그람 행렬은 이렇다."


def test_reading_time_counts_korean_by_characters(config):
    korean = parse(config, "가나다라마" * 200)  # 1,000 Hangul characters, no spaces: 2 minutes
    spaced = parse(config, " ".join(["가나다라마"] * 200))
    assert korean.reading_minutes == spaced.reading_minutes == 2
    english = parse(config, " ".join(["word"] * 530))  # 530 words at 265 wpm
    assert english.reading_minutes == 2
    dump = parse(config, "<style>" + "x " * 5000 + "</style>\n\n![p](data:image/png;base64," + "A" * 9000 + ")\n")
    assert dump.reading_minutes == 1


def test_control_characters_removed_with_a_warning(config):
    entry = parse(config, "---\ntitle: a\x08b\n---\n- \x08magenta blog\n")
    assert entry.title == "ab" and "\x08" not in entry.body
    assert entry.warnings[0].format().startswith("2024-03-05-entry.md:2: warning: invisible control characters removed (lines 2, 4)")


# --- whole files: bytes, encodings, names -----------------------------------------------------


@pytest.fixture(scope="module")
def edge():
    config = load_config(FIXTURES / "edge" / "mkdocs.yml")
    return config, load_journal(config)


def by_path(journal, rel):
    rel = unicodedata.normalize("NFC", rel)
    return next(e for e in journal.entries if e.rel_path.as_posix() == rel)


def test_edge_workspace_loads_without_errors(edge):
    config, journal = edge
    assert journal.errors == ()
    assert len(journal.entries) == 17
    paths = {e.rel_path.as_posix() for e in journal.entries}
    assert not any("not-an-entry" in p for p in paths)


def test_bom_crlf_and_cr(edge):
    _, journal = edge
    entry = by_path(journal, "2026-03-01-bom-crlf.md")
    assert entry.title == "메모장에서 쓴 글" and entry.tags == ("windows", "메모장")
    assert "\r" not in entry.body and "\ufeff" not in entry.body
    assert [t.text for t in entry.todos] == ["CRLF 테스트 더 하기"]
    old_mac = by_path(journal, "2026-03-02-old-mac.md")
    assert old_mac.title == "Old Mac line ends" and [t.text for t in old_mac.todos] == ["check CR files"]


def test_timezone_crossing_midnight(edge):
    config, journal = edge
    assert config.tilbook.timezone_name == "America/Los_Angeles"
    entry = by_path(journal, "2021/03/07.md")
    assert entry.day == dt.date(2021, 3, 7)
    assert entry.date.astimezone(config.tilbook.timezone).date() == dt.date(2021, 3, 6)
    assert journal.by_day[dt.date(2021, 3, 7)] == (entry,)


def test_nfd_hangul_becomes_nfc(edge):
    _, journal = edge
    entry = by_path(journal, "2026-03-03-맥북-한글.md")
    assert entry.title == "맥에서 쓴 한글" and unicodedata.is_normalized("NFC", entry.body)
    assert entry.tags == ("파이토치",) and entry.slug == "맥북-한글"


def test_odd_file_names(edge):
    _, journal = edge
    assert by_path(journal, "2026-03-06-file name with spaces.md").slug == "file-name-with-spaces"
    assert by_path(journal, "2026-03-07-kaggle(캐글)-81%이상.md").slug == "kaggle-캐글-81-이상"


def test_slug_collisions_resolved_and_reported(edge):
    _, journal = edge
    first = by_path(journal, "2026-03-14-same.md")
    second = by_path(journal, "2026/03/14-same.md")
    assert (first.slug, second.slug) == ("same", "same-2")
    assert any("same-2" in w.message for w in second.warnings)


def test_cp949_is_a_clear_error(tmp_path):
    config = make_workspace(tmp_path, {"2024-01-02-cp949.md": "---\ntitle: 윈도우\n---\n안녕\n".encode("cp949")})
    with pytest.raises(EntryError) as info:
        load_entry(tmp_path / "journal" / "2024-01-02-cp949.md", config=config)
    problem = info.value.problem
    assert problem.format().startswith(
        "journal/2024-01-02-cp949.md:2: not UTF-8 text (it looks like CP949 (Korean Windows); first bad byte 0x"
    )
    assert 'iconv -f CP949 -t UTF-8 "journal/2024-01-02-cp949.md"' in problem.hint


@pytest.mark.parametrize(("encoding", "named"), [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")])
def test_utf16_with_or_without_a_bom_is_named_with_the_command_that_converts_it(tmp_path, encoding, named):
    """Notepad's "Unicode" is UTF-16; without its BOM the hint said CP949, which is wrong."""
    config = make_workspace(tmp_path, {"2024-01-02-u.md": "---\ntitle: 유니코드\n---\n본문\n".encode(encoding)})
    with pytest.raises(EntryError) as info:
        load_entry(tmp_path / "journal" / "2024-01-02-u.md", config=config)
    assert f"(it looks like {named};" in info.value.problem.message
    assert f'iconv -f {named} -t UTF-8 "journal/2024-01-02-u.md"' in info.value.problem.hint


def test_broken_workspace_reports_every_file(tmp_path):
    config = load_config(FIXTURES / "broken" / "mkdocs.yml")
    journal = load_journal(config)
    assert [e.rel_path.as_posix() for e in journal.entries] == ["2024-01-01-good.md"]
    failed = sorted({p.path for p in journal.errors})
    assert failed == [
        "journal/2021-02-30-impossible.md",
        "journal/2024-01-02-cp949.md",
        "journal/2024-01-03-bad-yaml.md",
        "journal/2024-01-04-unclosed.md",
        "journal/2024-01-05-bad-flag.md",
        "journal/2024-01-06-tab.md",
    ]
    assert all(p.hint for p in journal.errors)


@given(st.text(alphabet=st.sampled_from(["가", "힣", "ㄱ", "漢", "の", "a", "b", " ", "\n", "-", "é"]), max_size=3000))
def test_reading_minutes_counts_cjk_by_characters_and_the_rest_by_words(text: str) -> None:
    from tilbook.journal.body import CJK_CHARS_PER_MINUTE, WORDS_PER_MINUTE, reading_minutes

    cjk = sum(ch in "가힣ㄱ漢の" for ch in text)
    words = len("".join(" " if ch in "가힣ㄱ漢の" else ch for ch in text).split())
    assert reading_minutes(text) == max(1, math.ceil(words / WORDS_PER_MINUTE + cjk / CJK_CHARS_PER_MINUTE))


def test_an_entry_pickles_with_its_todo_views_computed(config):
    """A parse worker computes the todo views; they travel with the entry to the build and
    its cache, and equal what the entry would compute again."""
    import pickle

    from tilbook.journal.model import with_todo_views

    text = ("# 하루\n\n- [x] 끝낸 일\n- [ ] 남은 일 (2024-03-01부터)\n  - [ ] 하위 일\n\n"
            "## 내일 할 일\n\n- 논문 읽기\n  - 2장\n- [x] 이미 한 것\n")
    sent = pickle.loads(pickle.dumps(with_todo_views(parse(config, text))))
    assert {"carried_in", "open_items", "todo_leaves"} <= sent.__dict__.keys()
    fresh = parse(config, text)
    assert (sent.carried_in, sent.open_items, sent.todo_leaves) == (fresh.carried_in, fresh.open_items, fresh.todo_leaves)
    assert sent.open_items and sent.carried_in == (("남은 일", "2024-03-01"),)
    plain = pickle.loads(pickle.dumps(parse(config, text)))  # nothing computed: nothing extra kept
    assert "open_items" not in plain.__dict__ and plain.open_items == fresh.open_items
