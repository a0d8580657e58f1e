"""Todos across the journal: when each item first appeared, how long it has been carried."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Iterator

from tilbook.journal.model import Entry, Journal, Todo

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
    """The day it was planned for: the day after a tomorrow-section item's entry."""

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
    found: dict[str, TrackedTodo] = {}
    entries = journal.entries
    for entry in entries:
        for top in entry.todos:
            for text, todo, done in leaf_items(top):
                _note(found, entry, text, todo, done)
    carries = [any(t.since is not None for top in e.todos for t in top.walk()) for e in entries]
    index = {e.rel_path: i for i, e in enumerate(entries)}
    for key, item in found.items():
        i = index[item.rel_path]
        if item.is_open and i + 1 < len(entries) and carries[i + 1]:
            found[key] = replace(item, state="dropped", due=None)
    return sorted(found.values(), key=lambda t: (t.first_day, t.last_day, t.rel_path, t.line))


def _note(found: dict[str, TrackedTodo], entry: Entry, text: str, todo: Todo, done: bool) -> None:
    key = todo_key(text)
    earlier = found.get(key)
    first = entry.day if earlier is None else earlier.first_day
    if todo.since is not None and todo.since < first:
        first = todo.since
    due = entry.day + dt.timedelta(days=1) if todo.kind == "tomorrow" else entry.day
    found[key] = TrackedTodo(
        text=text,
        first_day=first,
        last_day=entry.day,
        rel_path=entry.rel_path,
        line=todo.line,
        state="done" if done else "open",
        appearances=(earlier.appearances if earlier else 0) + 1,
        kind=todo.kind,
        due=due if not done else None,
    )


def open_todos(journal: Journal) -> list[TrackedTodo]:
    return [t for t in track_todos(journal) if t.is_open]
