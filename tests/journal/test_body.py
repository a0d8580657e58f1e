"""Todos, the tomorrow section and heading matching, read from Markdown bodies."""

import datetime as dt

from hypothesis import assume, given
from hypothesis import strategies as st

from tilbook.config.model import DEFAULT_TOMORROW_HEADINGS
from tilbook.journal.body import matches_tomorrow, scan_body, split_markers, split_since


def todos(body, first_line=1):
    return scan_body(body, first_line=first_line, tomorrow_headings=DEFAULT_TOMORROW_HEADINGS).todos


def shape(items):
    """(text, done, kind, line, children) tuples, for whole-structure comparisons."""
    return [(t.text, t.done, t.kind, t.line, shape(t.children)) for t in items]


def test_task_items_anywhere_and_plain_bullets_ignored():
    body = "Notes\n\n- plain note\n- [ ] open task\n- [x] done task\n  - [X] nested done\n  - plain nested\n\n> - [ ] quoted task\n"
    assert shape(todos(body, first_line=5)) == [
        ("open task", False, "task", 8, []),
        ("done task", True, "task", 9, [("nested done", True, "task", 10, [])]),
        ("quoted task", False, "task", 13, []),
    ]


def test_tasks_inside_code_fences_are_not_todos():
    body = "```markdown\n- [ ] not a task\n## 내일 할 일\n- not an item\n```\n~~~~\n- [ ] nor this\n~~~~\n"
    assert todos(body) == ()


def test_tomorrow_section_items_and_sub_headings():
    body = """## 오늘 배운 것
- 배운 것은 할 일이 아니다

## 내일 할 일
- 논문 읽기
- [x] 이미 한 것
- ~~취소선은 끝난 것~~
  - 하위 항목
### 조건부 GAN 실습
- 임베딩 크기 10
- 샘플 그리드
### 정리

## 다른 섹션
- 여기는 아니다
"""
    assert shape(todos(body)) == [
        ("논문 읽기", False, "tomorrow", 5, []),
        ("이미 한 것", True, "tomorrow", 6, []),
        ("~~취소선은 끝난 것~~", True, "tomorrow", 7, [("하위 항목", False, "tomorrow", 8, [])]),
        ("조건부 GAN 실습", False, "tomorrow", 9, [
            ("임베딩 크기 10", False, "tomorrow", 10, []),
            ("샘플 그리드", False, "tomorrow", 11, []),
        ]),
        ("정리", False, "tomorrow", 12, []),
    ]


def test_section_ends_at_a_heading_of_the_same_or_higher_level():
    body = "# Day\n### Tomorrow\n- a\n## Notes\n- b\n"
    assert [t.text for t in todos(body)] == ["a"]


def test_label_paragraph_opens_a_plan_list():
    body = "Today was long.\n\n**내일 할 일:**\n- GAN 복습\n- [ ] 코드 정리\n\nMore notes.\n\n- not in the plan\n"
    assert [(t.text, t.kind) for t in todos(body)] == [("GAN 복습", "tomorrow"), ("코드 정리", "tomorrow")]


def test_blank_items_are_left_out():
    assert todos("## Tomorrow\n\n- \n- [ ] \n") == ()


def test_since_marker_is_read_in_both_languages():
    items = todos("## Plan\n- [ ] read (since 2026-11-20)\n- [ ] 읽기 (2026-11-21부터)\n- [ ] keep (note)\n")
    assert [(t.text, t.since) for t in items] == [
        ("read", dt.date(2026, 11, 20)),
        ("읽기", dt.date(2026, 11, 21)),
        ("keep (note)", None),
    ]
    assert split_since("bad (since 2026-02-30)") == ("bad (since 2026-02-30)", None)


def test_a_deadline_is_read_in_both_languages_and_either_order_with_since():
    items = todos("## Plan\n- [ ] GAN 끝내기 (2026-12-15까지) (2026-11-20부터)\n- [ ] papers (since 2026-11-21) (due 2026-12-01)\n"
                  "- [ ] by hand (by 2026-12-02)\n- [ ] 그냥 (다음 주까지)\n")
    assert [(t.text, t.since, t.due) for t in items] == [
        ("GAN 끝내기", dt.date(2026, 11, 20), dt.date(2026, 12, 15)),
        ("papers", dt.date(2026, 11, 21), dt.date(2026, 12, 1)),
        ("by hand", None, dt.date(2026, 12, 2)),
        ("그냥 (다음 주까지)", None, None),
    ]
    assert split_markers("bad (due 2026-02-30)") == ("bad (due 2026-02-30)", None, None)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
       st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))),
       st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))), st.booleans(), st.booleans())
def test_markers_written_are_markers_read(text, since, due, korean, due_first):
    """What `new` writes after an item (either language, either order) reads back as the
    same text and days, whatever the text."""
    text = " ".join(text.split())
    assume(split_markers(text) == (text, None, None))  # (the text alone ends with no marker of its own)
    marks = {"since": since and (f"({since}부터)" if korean else f"(since {since})"),
             "due": due and (f"({due}까지)" if korean else f"(due {due})")}
    order = ["due", "since"] if due_first else ["since", "due"]
    written = " ".join([text, *(marks[k] for k in order if marks[k])])
    assert split_markers(written) == (text if (since or due) else written, since, due)


def test_heading_matching():
    names = DEFAULT_TOMORROW_HEADINGS
    for heading in ["내일 할 일", "📌 내일 할 일:", "**Tomorrow**", "tomorrow's plan", "TODO", "Next steps", "1. 내일 할 일 (11/28)"]:
        assert matches_tomorrow(heading, names), heading
    for heading in ["내일의 나에게", "Next.js 공부", "오늘 할 일", "Plan for today", "Todoist review"]:
        assert not matches_tomorrow(heading, names), heading


def test_first_heading_and_excerpt():
    facts = scan_body("Intro paragraph.\n\n# Setext?\n\nTitle\n=====\n", first_line=1, tomorrow_headings=())
    assert facts.first_heading == "Setext?"
    assert facts.excerpt == "Intro paragraph."
