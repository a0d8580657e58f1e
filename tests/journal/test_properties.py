"""Property tests for the parsers: dates, front matter round trips, no crash on any input."""

import datetime as dt
import json
import unicodedata
from pathlib import PurePosixPath

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import make_workspace
from tilbook.errors import EntryError
from tilbook.journal import parse_entry
from tilbook.journal.dates import parse_date_text

SEOUL = None


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return make_workspace(tmp_path_factory.mktemp("ws"))


offsets = st.integers(min_value=-14 * 4, max_value=14 * 4).map(lambda q: dt.timezone(dt.timedelta(minutes=15 * q)))
moments = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)


def _offset_text(tz: dt.tzinfo, colon: bool) -> str:
    minutes = int(tz.utcoffset(None).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h:02d}:{m:02d}" if colon else f"{sign}{h:02d}{m:02d}"


@given(moment=moments, tz=offsets, style=st.sampled_from(["space", "space-colon", "T", "T-colon", "short-hour"]))
def test_written_dates_round_trip_and_keep_their_day(moment, tz, style):
    aware = moment.replace(tzinfo=tz)
    colon = style.endswith("colon")
    if style.startswith("T"):
        text = f"{aware:%Y-%m-%dT%H:%M:%S}{_offset_text(tz, colon)}"
    elif style == "short-hour":
        text = f"{aware:%Y-%m-%d} {aware.hour}:{aware:%M:%S} {_offset_text(tz, False)}"
    else:
        text = f"{aware:%Y-%m-%d %H:%M:%S} {_offset_text(tz, colon)}"
    parsed, has_time = parse_date_text(text, zone=dt.timezone.utc)  # type: ignore[arg-type]
    assert has_time
    assert parsed == aware and parsed.utcoffset() == aware.utcoffset()
    assert parsed.date() == moment.date()


@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_only(day):
    from zoneinfo import ZoneInfo

    parsed, has_time = parse_date_text(day.isoformat(), ZoneInfo("Asia/Seoul"))
    assert parsed.date() == day and not has_time and parsed.tzinfo.key == "Asia/Seoul"


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufeff\x85"),
    min_size=1,
    max_size=40,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(title=texts, tags=st.lists(texts, max_size=5), day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 1, 1)))
def test_front_matter_round_trip(config, title, tags, day):
    norm = lambda s: " ".join(unicodedata.normalize("NFC", s).split())  # noqa: E731
    assume(norm(title))
    front = yaml.safe_dump({"title": title, "tags": tags, "date": day.isoformat()}, allow_unicode=True)
    entry = parse_entry(f"---\n{front}---\nbody\n", PurePosixPath("x.md"), config=config)
    assert entry.title == norm(title)
    expected, seen = [], set()
    for tag in map(norm, tags):
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            expected.append(tag)
    assert entry.tags == tuple(expected)
    assert entry.day == day


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.lists(st.sampled_from(["---", "+++", "title: x", "date: 2024-02-30", "- [ ] a", "## 내일 할 일",
                                  "tags: [a", "```", "\t- x", "key: *alias", "{{ x }}", "", "date: 2024-01-01 25:00"]),
                 max_size=12).map("\n".join),
    )
)
def test_any_text_gives_an_entry_or_an_entry_error(config, text):
    try:
        entry = parse_entry(text, PurePosixPath("2024-03-05-x.md"), config=config)
    except EntryError as exc:
        assert all(p.message and p.path == "2024-03-05-x.md" for p in exc.problems)
        return
    assert entry.day == dt.date(2024, 3, 5) or entry.date_source == "front matter"
    json.dumps([t.text for t in entry.todos])
