"""`tilbook new`: the day's entry from a template, with the open items of the last entry."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2

from tilbook.config.model import Config
from tilbook.errors import EntryError, TemplateError
from tilbook.journal.model import Entry, Journal, Todo
from tilbook.journal.slug import slugify

DATE_WORDS = {"today": 0, "yesterday": -1, "tomorrow": 1, "오늘": 0, "어제": -1, "내일": 1}


@dataclass(frozen=True)
class NewEntry:
    """A planned entry: where it goes and its text. Nothing is written yet."""

    path: Path
    text: str
    carried: tuple[Todo, ...]
    carried_from: Entry | None


def parse_day(text: str, today: dt.date) -> dt.date:
    """`2024-03-05`, `today`, `yesterday`, `tomorrow`, `-2` (two days ago) → a date."""
    word = text.strip().lower()
    if word in DATE_WORDS:
        return today + dt.timedelta(days=DATE_WORDS[word])
    if re.fullmatch(r"[+-]\d+", word):
        return today + dt.timedelta(days=int(word))
    try:
        return dt.date.fromisoformat(word)
    except ValueError:
        raise ValueError(f"expected YYYY-MM-DD, today, yesterday or -N, got {text!r}") from None


def is_korean(config: Config) -> bool:
    return config.theme.language.lower().startswith("ko")


def since_marker(day: dt.date, config: Config) -> str:
    """The note `new` puts after a carried item; `body.split_markers` reads both languages."""
    return f"({day.isoformat()}부터)" if is_korean(config) else f"(since {day.isoformat()})"


def due_marker(day: dt.date, config: Config) -> str:
    """A carried item's deadline, written again before its `since_marker`."""
    return f"({day.isoformat()}까지)" if is_korean(config) else f"(due {day.isoformat()})"


def render_carried(todos: tuple[Todo, ...], first_seen: dt.date, config: Config) -> str:
    """Open items as a `- [ ]` list, each with the day it first appeared."""
    lines: list[str] = []

    def add(todo: Todo, depth: int) -> None:
        since = todo.since or first_seen
        due = f"{due_marker(todo.due, config)} " if todo.due else ""
        lines.append(f"{'  ' * depth}- [ ] {todo.text} {due}{since_marker(since, config)}")
        for child in todo.children:
            add(child, depth + 1)

    for todo in todos:
        if todo.text.strip():
            add(todo, 0)
    return "\n".join(lines)


def _yaml_filter(value: object) -> str:
    # JSON strings and lists are valid YAML flow scalars/sequences, quoted safely.
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(json.dumps(str(v), ensure_ascii=False) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def entry_template(config: Config) -> tuple[str, str]:
    """(template text, where it came from): the config's, `templates/entry.md`, or built in."""
    candidates = [config.tilbook.entry_template]
    if config.tilbook.templates_dir:
        candidates.append(config.tilbook.templates_dir / "entry.md")
    for path in candidates:
        if path and path.is_file():
            return path.read_text(encoding="utf-8-sig"), config.display_path(path)
    name = "entry.ko.md" if is_korean(config) else "entry.en.md"
    return resources.files("tilbook.templates").joinpath(name).read_text(encoding="utf-8"), f"(built-in {name})"


def render_entry_template(source: str, where: str, variables: dict[str, object]) -> str:
    env = jinja2.Environment(
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["yaml"] = _yaml_filter
    try:
        return env.from_string(source).render(**variables)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template error: {exc.message}", path=where, line=exc.lineno,
                            hint="check the {{ }} and {% %} tags on that line") from exc
    except jinja2.UndefinedError as exc:
        names = ", ".join(sorted(variables))
        raise TemplateError(f"template error: {exc.message}", path=where, hint=f"the template can use: {names}") from exc


def entry_path(config: Config, day: dt.date, slug: str) -> Path:
    rel = config.tilbook.entry_path.format(
        year=f"{day.year:04d}", month=f"{day.month:02d}", day=f"{day.day:02d}", slug=slug
    )
    return config.docs_dir / rel


def plan_new_entry(
    journal: Journal,
    config: Config,
    *,
    day: dt.date,
    now: dt.datetime,
    title: str | None = None,
    tags: tuple[str, ...] = (),
) -> NewEntry:
    """Work out the new entry for `day` without writing anything.

    The plan carries the open items (unchecked tasks and the tomorrow section) of the most
    recent entry before `day`; an item that was itself carried keeps its first day.
    """
    korean = is_korean(config)
    title = " ".join((title or "").split()) or (f"{day.isoformat()} TIL" if not korean else f"{day.isoformat()} 공부 기록")
    slug = slugify(title) if title and not re.fullmatch(r"\d{4}-\d{2}-\d{2} (TIL|공부 기록)", title) else ""
    path = entry_path(config, day, slug or config.tilbook.default_slug)
    previous = journal.latest_before(day)
    carried = previous.open_todos() if previous else ()
    if day == now.date():
        date_text = now.replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%S %z")
    else:
        date_text = day.isoformat()
    source, where = entry_template(config)
    text = render_entry_template(
        source,
        where,
        {
            "title": title,
            "date": date_text,
            "day": day,
            "weekday": day.strftime("%A") if not korean else "월화수목금토일"[day.weekday()] + "요일",
            "tags": list(tags),
            "carried": render_carried(carried, previous.day, config) if previous else "",
            "carried_items": carried,
            "previous": previous,
            "config": config,
        },
    )
    return NewEntry(path=path, text=text, carried=carried, carried_from=previous)


def write_new_entry(plan: NewEntry, config: Config) -> Path:
    """Create the file; never overwrite one (exclusive create, so two runs cannot race)."""
    plan.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(plan.path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(plan.text)
    except FileExistsError:
        raise EntryError(
            "already exists; left untouched",
            path=config.display_path(plan.path),
            hint="open it in your editor, or pass --title to start a second entry for the day",
        ) from None
    return plan.path


def editor_command(path: Path) -> list[str] | None:
    """The user's editor ($VISUAL, then $EDITOR) as an argument list, or None."""
    import shlex

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        return ["notepad", str(path)] if os.name == "nt" else None
    return [*shlex.split(editor, posix=os.name != "nt"), str(path)]
