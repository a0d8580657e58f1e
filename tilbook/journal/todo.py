"""Todos across the journal: when each item first appeared, how long it has been carried."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterator

from tilbook.journal.model import Entry, Journal, Todo

SEPARATOR = " › "


@dataclass(frozen=True)
class TrackedTodo:
    """One item followed through the entries that mention it."""

    text: str
    """The item's text; a nested item is shown after its parents, joined by ' › '."""
    first_day: dt.date
    """The day it first appeared (or the day its `(since …)` marker names, if earlier)."""
    last_day: dt.date
    """The day of the latest entry that mentions it."""
    rel_path: PurePosixPath
    """The latest entry that mentions it."""
    line: int
    done: bool
    appearances: int
    kind: str
    due: dt.date | None
    """The day it was planned for: the day after a tomorrow-section item's entry."""

    def age(self, today: dt.date) -> int:
        """Days since it first appeared."""
        return (today - self.first_day).days

    @property
    def carried(self) -> int:
        """How many later entries carried it."""
        return self.appearances - 1

    def is_overdue(self, today: dt.date) -> bool:
        return not self.done and self.due is not None and self.due < today


def todo_key(text: str) -> str:
    """Identity of an item across entries: case, spacing and a trailing period do not count."""
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"\s+", " ", text).strip().rstrip(".")


def _leaves(todo: Todo, prefix: str = "", parent_done: bool = False) -> Iterator[tuple[str, Todo, bool]]:
    """The items of work under `todo`: an item with sub-items is a group (a sub-heading of
    the tomorrow section, or a task split into steps), and its leaves are the work; checking
    the group checks them all."""
    text = f"{prefix}{SEPARATOR}{todo.text}" if prefix else todo.text
    done = parent_done or todo.done
    if not todo.children:
        yield text, todo, done
        return
    for child in todo.children:
        yield from _leaves(child, text, done)


def track_todos(journal: Journal) -> list[TrackedTodo]:
    """Every item of the journal, with done items kept (filter with `.done`).

    An item is identified by its text (see `todo_key`); its state is the state of its
    latest mention: checked there, or checked in an entry after the last open mention,
    means done.
    """
    found: dict[str, TrackedTodo] = {}
    for entry in journal.entries:
        for top in entry.todos:
            for text, todo, done in _leaves(top):
                if not todo.text.strip():
                    continue
                _note(found, entry, text, todo, done)
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
        done=done,
        appearances=(earlier.appearances if earlier else 0) + 1,
        kind=todo.kind,
        due=due if not done else None,
    )


def open_todos(journal: Journal) -> list[TrackedTodo]:
    return [t for t in track_todos(journal) if not t.done]
