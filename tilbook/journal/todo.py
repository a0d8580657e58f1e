"""Todos across the journal: when each item first appeared, how long it has been carried."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Iterator

from tilbook.journal.model import Journal, Todo

SEPARATOR = " › "


@dataclass(frozen=True)
class TrackedTodo:
    """One item followed through the entries that mention it."""

    text: str
    """The item's text; a nested item is shown after its parents, joined by ' › '."""
    state: str
    """`open`; `done` (checked); or `dropped`: the next entry carried the plan over
    (it has `(since …)` items) but left this one out, so the author let it go."""
    first_day: dt.date
    """The day it first appeared (or the day its `(since …)` marker names, if earlier)."""
    last_day: dt.date
    """The day of the latest entry that mentions it."""
    rel_path: PurePosixPath
    """The latest entry that mentions it."""
    line: int
    appearances: int
    kind: str
    due: dt.date | None
    """The day it was planned for: its deadline if it has one, else the day after a
    tomorrow-section item's entry, else its entry's day. None once it is not open."""
    deadline: dt.date | None = None
    """The day its latest mention says to have it done by (`(due …)`, `(…까지)`): a study
    goal, days or weeks away, not the next day's work. None once it is not open."""

    @property
    def done(self) -> bool:
        return self.state == "done"

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    def age(self, today: dt.date) -> int:
        """Days since it first appeared."""
        return (today - self.first_day).days

    @property
    def carried(self) -> int:
        """How many later entries carried it."""
        return self.appearances - 1

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due is not None and self.due < today

    def days_left(self, today: dt.date) -> int | None:
        """Days until its deadline (0 on the day itself, negative after); None without one."""
        return None if self.deadline is None else (self.deadline - today).days


@lru_cache(maxsize=8192)
def todo_key(text: str) -> str:
    """Identity of an item across entries: case, spacing and a trailing period do not count."""
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"\s+", " ", text).strip().rstrip(".")


def leaf_items(todo: Todo, prefix: str = "", parent_done: bool = False) -> Iterator[tuple[str, Todo, bool]]:
    """The items of work under `todo`: an item with sub-items is a group (a sub-heading of
    the tomorrow section, or a task split into steps), and its leaves are the work; checking
    the group checks them all."""
    text = f"{prefix}{SEPARATOR}{todo.text}" if prefix else todo.text
    done = parent_done or todo.done
    if not todo.children:
        yield text, todo, done
        return
    for child in todo.children:
        yield from leaf_items(child, text, done)


def track_todos(journal: Journal) -> list[TrackedTodo]:
    """Every item of the journal, done and dropped ones included (filter on `.state`).

    An item is identified by its text (see `todo_key`); its state is the state of its
    latest mention. An item still open there is `dropped` when the next entry carried
    other items over (it has `(since …)` markers) but not this one; when the next entry
    carries nothing, the author does not use carrying and the item stays open.
    """
    # Each item's latest mention: (text, first day, entry index, item, done, appearances).
    # A site build runs this on every rebuild: the items are made once, at the end.
    latest: dict[str, tuple[str, dt.date, int, Todo, bool, int]] = {}
    entries = journal.entries
    for i, entry in enumerate(entries):
        if not entry.todos:
            continue
        day = entry.day
        for text, todo, done in entry.todo_leaves:
            key = todo_key(text)
            earlier = latest.get(key)
            first = day if earlier is None else earlier[1]
            if todo.since is not None and todo.since < first:
                first = todo.since
            latest[key] = (text, first, i, todo, done, (earlier[5] if earlier else 0) + 1)
    found = []
    for text, first, i, todo, done, appearances in latest.values():
        entry = entries[i]
        state = "done" if done else "open"
        if not done and i + 1 < len(entries) and entries[i + 1].carried_in:  # the next entry carried items over
            state = "dropped"
        due = todo.due or (entry.day + dt.timedelta(days=1) if todo.kind == "tomorrow" else entry.day)
        found.append(TrackedTodo(text=text, first_day=first, last_day=entry.day, rel_path=entry.rel_path,
                                 line=todo.line, state=state, appearances=appearances, kind=todo.kind,
                                 due=due if state == "open" else None,
                                 deadline=todo.due if state == "open" else None))
    return sorted(found, key=lambda t: (t.first_day, t.last_day, t.rel_path.parts, t.line))


def open_todos(journal: Journal) -> list[TrackedTodo]:
    return [t for t in track_todos(journal) if t.is_open]
