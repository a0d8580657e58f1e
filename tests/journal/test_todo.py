"""track_todos: following items across entries."""

import datetime as dt

from tests.conftest import make_workspace
from tilbook.journal import load_journal, track_todos


def tracked(tmp_path, entries):
    journal = load_journal(make_workspace(tmp_path, entries))
    assert journal.errors == ()
    return {t.text: t for t in track_todos(journal)}


def test_items_carried_keep_their_first_day(tmp_path):
    items = tracked(tmp_path, {
        "2026-11-01-a.md": "## 내일 할 일\n- 논문 읽기\n- 코드 정리\n",
        "2026-11-02-b.md": "## 오늘 할 일\n- [ ] 논문 읽기 (2026-11-01부터)\n- [x] 코드 정리 (2026-11-01부터)\n",
        "2026-11-04-c.md": "## Plan\n- [ ] 논문 읽기 (2026-11-01부터)\n",
    })
    paper = items["논문 읽기"]
    assert (paper.state, paper.first_day, paper.last_day, paper.carried) == ("open", dt.date(2026, 11, 1), dt.date(2026, 11, 4), 2)
    assert paper.age(dt.date(2026, 11, 10)) == 9
    assert paper.rel_path.as_posix() == "2026-11-04-c.md" and paper.line == 2
    assert items["코드 정리"].state == "done"


def test_since_marker_wins_when_earlier_entries_are_gone(tmp_path):
    items = tracked(tmp_path, {"2026-11-04-c.md": "- [ ] old thing (since 2026-10-01)\n"})
    assert items["old thing"].first_day == dt.date(2026, 10, 1)


def test_checked_later_means_done_and_case_spacing_ignored(tmp_path):
    items = tracked(tmp_path, {
        "2026-11-01-a.md": "- [ ] Fix the   kernel\n",
        "2026-11-05-b.md": "- [x] fix the kernel.\n",
    })
    assert len(items) == 1 and next(iter(items.values())).state == "done"


def test_dropped_when_the_next_entry_carried_others_but_not_this(tmp_path):
    items = tracked(tmp_path, {
        "2026-11-01-a.md": "## Tomorrow\n- keep me\n- let me go\n",
        "2026-11-02-b.md": "## Plan\n- [ ] keep me (since 2026-11-01)\n",
    })
    assert items["let me go"].state == "dropped" and items["keep me"].state == "open"


def test_not_dropped_when_the_author_does_not_carry(tmp_path):
    items = tracked(tmp_path, {
        "2026-11-01-a.md": "- [ ] write tests\n",
        "2026-11-02-b.md": "Just notes today.\n",
    })
    assert items["write tests"].state == "open"


def test_groups_are_tracked_by_their_leaves_and_overdue(tmp_path):
    items = tracked(tmp_path, {
        "2026-11-01-a.md": "## 내일 할 일\n### GAN\n- 임베딩\n- [x] 그리드\n",
    })
    assert set(items) == {"GAN › 임베딩", "GAN › 그리드"}
    leaf = items["GAN › 임베딩"]
    assert leaf.due == dt.date(2026, 11, 2) and leaf.kind == "tomorrow"
    assert not leaf.is_overdue(dt.date(2026, 11, 2)) and leaf.is_overdue(dt.date(2026, 11, 3))
    assert items["GAN › 그리드"].done


def test_a_deadline_makes_a_goal_due_on_its_day_not_the_next(tmp_path):
    """A study goal: `(2026-12-15까지)` on an item sets the day it is due, carried or not;
    an item without one is due as before (a tomorrow item the next day)."""
    items = tracked(tmp_path, {
        "2026-11-01-a.md": "## 목표\n- [ ] GAN 끝내기 (2026-12-15까지)\n",
        "2026-11-02-b.md": "## 오늘 할 일\n- [ ] GAN 끝내기 (2026-12-15까지) (2026-11-01부터)\n",
    })
    goal, chore = items["GAN 끝내기"], tracked(tmp_path / "b", {"2026-11-01-a.md": "## 내일 할 일\n- 코드 정리\n"})["코드 정리"]
    assert (goal.due, goal.deadline, goal.first_day) == (dt.date(2026, 12, 15), dt.date(2026, 12, 15), dt.date(2026, 11, 1))
    assert goal.days_left(dt.date(2026, 11, 28)) == 17 and not goal.is_overdue(dt.date(2026, 12, 15))
    assert goal.is_overdue(dt.date(2026, 12, 16)) and goal.days_left(dt.date(2026, 12, 16)) == -1
    assert (chore.due, chore.deadline, chore.days_left(dt.date(2026, 11, 28))) == (dt.date(2026, 11, 2), None, None)


def test_a_marker_with_no_real_day_is_a_warning_at_its_line(tmp_path):
    """`(2026-02-30까지)`: a deadline that silently went missing; now a warning names it."""
    journal = load_journal(make_workspace(tmp_path, {
        "2026-11-01-a.md": "---\ntitle: a\n---\n## 목표\n- [ ] GAN 끝내기 (2026-02-30까지)\n- [ ] 읽기 (since 2026-13-01)\n",
    }))
    assert [p.format().splitlines()[0] for p in journal.problems] == [
        "journal/2026-11-01-a.md:5: warning: '(2026-02-30까지)' at the end of a todo names no real day; it is read as text",
        "journal/2026-11-01-a.md:6: warning: '(since 2026-13-01)' at the end of a todo names no real day; it is read as text",
    ]
    assert [t.text for t in track_todos(journal)] == ["GAN 끝내기 (2026-02-30까지)", "읽기 (since 2026-13-01)"]
