"""The one error family of tilbook, and the `Problem` record every stage reports.

A `Problem` is one finding about the user's files: where it is (path, line, key), what is
wrong, and how to fix it. Stages collect problems instead of stopping at the first, and raise
a `TilbookError` that carries all of them when any is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal, Sequence, TypeVar

Severity = Literal["error", "warning"]
T = TypeVar("T")


WARNINGS_SHOWN = 30
"""Warnings `build` and `serve` print at a time; `check` prints all of them."""


def shown_warnings(warnings: Sequence[T]) -> tuple[Sequence[T], str | None]:
    """The first `WARNINGS_SHOWN` of `warnings`, and a line counting the rest (None: none)."""
    more = len(warnings) - WARNINGS_SHOWN
    if more <= 0:
        return warnings, None
    return warnings[:WARNINGS_SHOWN], f"... and {more} more warning{'s' if more != 1 else ''}: `tilbook check` lists them all"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in the user's files."""

    message: str
    path: str | None = None
    """The file as the user knows it: relative to the workspace where possible."""
    line: int | None = None
    """1-based line in that file."""
    key: str | None = None
    """Dotted key (`theme.language`) or front matter key (`date`) the problem is about."""
    hint: str | None = None
    """How to fix it, in one line."""
    severity: Severity = "error"
    context: str | None = None
    """What kind of key this is, e.g. "front matter"; shown before the key."""
    detail: str | None = None
    """Lines shown under the message, indented (a failed cell's traceback)."""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        """`path:line: key: message` plus an indented hint line."""
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        label = "" if self.is_error else "warning: "
        key = ""
        if self.key:
            key = f"{self.context} '{self.key}': " if self.context else f"{self.key}: "
        text = f"{where}{label}{key}{self.message}"
        if self.detail:
            text += "\n" + "\n".join("    " + line for line in self.detail.rstrip().splitlines())
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.format()


class TilbookError(Exception):
    """Root of tilbook's errors: carries one or more `Problem`s."""

    def __init__(
        self,
        message: str | None = None,
        *,
        path: str | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
        context: str | None = None,
        detail: str | None = None,
        problems: Iterable[Problem] = (),
    ) -> None:
        found = list(problems)
        if message is not None:
            found.insert(
                0,
                Problem(message, path=path, line=line, key=key, hint=hint, context=context, detail=detail),
            )
        if not found:
            raise ValueError("a TilbookError needs a message or problems")
        self.problems: tuple[Problem, ...] = tuple(found)
        super().__init__("\n".join(p.format() for p in self.problems))

    @property
    def problem(self) -> Problem:
        """The first problem (most errors carry exactly one)."""
        return self.problems[0]


class ConfigError(TilbookError):
    """`mkdocs.yml` is missing, unreadable or invalid."""


class EntryError(TilbookError):
    """A journal entry cannot be read or parsed."""


class JournalError(TilbookError):
    """The journal as a whole has errors (the problems of all its entries)."""


class TemplateError(TilbookError):
    """A user or built-in template cannot be rendered."""


class UsageError(TilbookError):
    """The command asked for something that does not exist (a template, a parameter, a value)."""


class ExecutionError(TilbookError):
    """A notebook failed to execute."""


class BuildError(TilbookError):
    """The site could not be built."""


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]
