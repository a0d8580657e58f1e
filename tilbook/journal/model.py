"""The journal's data model: `Entry`, `FrontMatter`, `Todo`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

from tilbook.errors import Problem
from tilbook.journal.slug import slugify

if TYPE_CHECKING:
    from tilbook.config.model import Config

DateSource = Literal["front matter", "front matter path", "file name", "git", "mtime"]
TitleSource = Literal["front matter", "heading", "file name"]


@dataclass(frozen=True)
class FrontMatter:
    format: Literal["yaml", "toml", "none"]
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Top-level key → 1-based line in the file."""


@dataclass(frozen=True)
class Todo:
    """An item of work: a task-list item, or an item of the "tomorrow" section."""

    text: str
    """The item as written, without the checkbox and without a `(since …)` marker."""
    done: bool
    line: int
    """1-based line in the entry's file."""
    kind: Literal["task", "tomorrow"]
    """`task`: a `- [ ]` item anywhere; `tomorrow`: an item of the tomorrow section."""
    since: dt.date | None = None
    """The day a `(since YYYY-MM-DD)` marker says the item first appeared (set by `new`)."""
    children: tuple[Todo, ...] = ()
    due: dt.date | None = None
    """The day a `(due YYYY-MM-DD)` (`(YYYY-MM-DD까지)`) marker sets to have it done by: a
    study goal with a date. `new` carries it along."""

    def walk(self) -> tuple[Todo, ...]:
        """This item and all its descendants, depth first."""
        found: list[Todo] = [self]
        for child in self.children:
            found.extend(child.walk())
        return tuple(found)


@dataclass(frozen=True)
class NotebookRef:
    """A notebook an entry names in its front matter (`notebooks:`): a template, run with
    these parameters and profile, frozen under `name` in the freeze store."""

    name: str
    template: str
    profile: str = "default"
    params: tuple[tuple[str, str], ...] = ()
    """As written, `-p` style; checked against the template's spec at build time."""
    line: int | None = None


@dataclass(frozen=True)
class Entry:
    """One journal entry, parsed. Built by `parse_entry`; never holds half-filled fields."""

    rel_path: PurePosixPath
    """Path inside docs_dir, `/`-separated, NFC: the entry's identity."""
    title: str
    title_source: TitleSource
    date: dt.datetime
    """Timezone-aware; the author's own offset when they wrote one, else the config's zone."""
    date_source: DateSource
    slug: str
    """Unicode, NFC, lower case; unique within the journal (see `Journal`)."""
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    draft: bool
    front_matter: FrontMatter
    body: str
    """Markdown after the front matter, exactly as written (never evaluated as a template).
    Empty in the entries a site build holds: it keeps rendered bodies (site/store.py) instead."""
    body_line: int
    """Line of the file on which `body` starts."""
    excerpt: str
    """Markdown of the teaser: the front matter's `description` (or `summary`, `excerpt`),
    else the text before `<!--more-->`, else the first paragraph."""
    reading_minutes: int
    todos: tuple[Todo, ...]
    """Top-level items in file order (tomorrow items carry their children)."""
    abs_path: Path | None = None
    warnings: tuple[Problem, ...] = ()
    updated: dt.datetime | None = None
    """`last_modified_at` / `updated` from the front matter, if any."""
    notebooks: tuple[NotebookRef, ...] = ()
    """Notebooks named in the front matter, in order."""
    redirects: tuple[str, ...] = ()
    """Old addresses of this entry (`redirect_from`, `aliases`): URL paths, unencoded, from
    the site root (`/2020/07/06/Rustup-1.22.0.html`); the site writes a redirect page at each."""
    permalink: str | None = None
    """The entry's own address pattern (front matter `permalink`), used instead of the
    config's `tilbook.permalink`: a path from the site root ending in '/' or '.html'."""
    authors: tuple[str, ...] = ()
    """Who wrote it, from the front matter (`authors`, `author`); none: the site's author."""
    image: str | None = None
    """The picture a link preview shows (front matter `image`), as written: beside the
    entry, from the site root, or another host's; None: the body's first picture."""
    pinned: bool = False
    """`pin: true`: first on the home page, before the newest."""
    is_page: bool = False
    """`page: true` (or Jekyll's `layout: page` on a file without a date): a page of the
    site, such as an About page, not an entry of the journal. It has its own address
    (`PAGE_PERMALINK` unless it has a permalink) and a link in the site's navigation, and is
    in no list, feed, heatmap or todo; the journal keeps it in `Journal.pages`."""
    in_nav: bool = True
    """A page's `nav: false` leaves it out of the site's navigation."""
    nav_order: float | None = None
    """A page's place in the navigation (`nav_order`, Just the Docs' key): by it, then by title."""

    @cached_property
    def day(self) -> dt.date:
        """The calendar day in the entry's own offset: 08:00 +0900 on March 7 is March 7.
        (Kept once computed: a build asks for it some 16 times an entry.)"""
        return self.date.date()

    def open_todos(self) -> tuple[Todo, ...]:
        """Unfinished items, each with only its unfinished children."""
        if not self.todos:
            return ()
        return tuple(_prune_done(t) for t in self.todos if not t.done)

    @cached_property
    def rel(self) -> str:
        """`rel_path` as a string: the key of the build's tables (pathlib formats it anew each time)."""
        return self.rel_path.as_posix()

    @cached_property
    def carried_in(self) -> tuple[tuple[str, str], ...]:
        """Items carried over from an earlier entry: (text, the ISO day its `(since …)` says)."""
        return tuple((t.text, t.since.isoformat()) for top in self.todos for t in top.walk() if t.since)

    @cached_property
    def todo_leaves(self) -> tuple[tuple[str, Todo, bool], ...]:
        """Every item of work, as `todo.leaf_items` gives them: (text, item, done)."""
        from tilbook.journal.todo import leaf_items

        return tuple(leaf for top in self.todos for leaf in leaf_items(top))

    @cached_property
    def open_items(self) -> tuple[str, ...]:
        """The open items of work it leaves, named as `todo.leaf_items` names them."""
        from tilbook.journal.todo import leaf_items

        return tuple(text for top in self.open_todos() for text, _, _ in leaf_items(top))

    def is_future(self, now: dt.datetime) -> bool:
        return self.date > now

    def url(self, pattern: str) -> str:
        """The URL path (unencoded) that `pattern`, the config's `tilbook.permalink`, gives
        this entry; its own `permalink` instead when it has one (see `address_pattern`)."""
        # Kept per pattern (a build asks twice an entry, `serve` every rebuild).
        urls = self.__dict__.setdefault("_urls", {})
        if pattern not in urls:
            urls[pattern] = entry_url(self, self.address_pattern(pattern))
        return urls[pattern]

    def address_pattern(self, pattern: str) -> str:
        """The permalink pattern of this entry's address, `pattern` being the config's: its
        own permalink, else `PAGE_PERMALINK` for a page (an About page is `/about/`, not
        dated), else `pattern`."""
        return self.permalink or (PAGE_PERMALINK if self.is_page else pattern)

    def __reduce__(self) -> tuple[Any, ...]:
        # Paths pickle as strings: pathlib's own pickling re-parses every part, which made
        # loading a 2,000-entry build cache take 0.2 s longer. What is kept once computed
        # (`day`, `url`s, ...) is left out: it is cheaper to compute again than to load.
        state = {name: self.__dict__[name] for name in _ENTRY_FIELDS}
        state.update((name, self.__dict__[name]) for name in _KEPT_WHEN_PICKLED if name in self.__dict__)
        state["rel_path"] = str(self.rel_path)
        state["abs_path"] = None if self.abs_path is None else str(self.abs_path)
        return (_unpickle_entry, (state,))


PAGE_PERMALINK = "/{slug}/"
"""Where a page (`Entry.is_page`) without a permalink of its own is published."""

_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
# What is kept once computed and pickled with the entry all the same: deriving them again
# took 30 ms for 2,000 entries in every fresh build's `collect`, loading them takes 5 ms.
# (They derive from `todos` alone; a change to how they are derived must bump the build's
# CACHE_FORMAT.)
_KEPT_WHEN_PICKLED = ("carried_in", "open_items", "todo_leaves")


def with_todo_views(entry: Entry) -> Entry:
    """`entry`, with its todo views computed now (a parse worker does it, in parallel,
    and they travel with the entry)."""
    for name in _KEPT_WHEN_PICKLED:
        getattr(entry, name)
    return entry


def _unpickle_entry(state: dict[str, Any]) -> Entry:
    entry = object.__new__(Entry)
    state["rel_path"] = PurePosixPath(state["rel_path"])
    if state["abs_path"] is not None:
        state["abs_path"] = Path(state["abs_path"])
    entry.__dict__.update(state)
    return entry


def _prune_done(todo: Todo) -> Todo:
    if not todo.children:
        return todo
    return replace(todo, children=tuple(_prune_done(c) for c in todo.children if not c.done))


def entry_file(config: Config, entry: Entry) -> str:
    """The entry's file as the user knows it (from the workspace, `/`-separated): where a
    problem found in it points."""
    return config.display_path(entry.abs_path or config.docs_dir / entry.rel_path)


def entry_url(entry: Entry, pattern: str) -> str:
    """The entry's URL path from a permalink pattern, unencoded (`/2024/03/05/오토인코더/`)."""
    return pattern.format(
        year=f"{entry.day.year:04d}",
        month=f"{entry.day.month:02d}",
        day=f"{entry.day.day:02d}",
        slug=entry.slug,
        category=slugify(entry.categories[0]) if entry.categories else "",
    ).replace("//", "/")


@dataclass(frozen=True)
class TermGroup:
    """A tag or category with its entries; spellings that differ only in case are one group."""

    name: str
    """The spelling used most often (first seen wins a tie)."""
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Journal:
    """All entries, sorted by date then path, and every problem met while loading them."""

    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    docs_dir: Path
    pages: tuple[Entry, ...] = ()
    """The site's pages (`Entry.is_page`), by path: not entries of the journal, so in none
    of its indexes, todos or counts."""

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    def visible(self, now: dt.datetime, *, drafts: bool = False, future: bool = False) -> tuple[Entry, ...]:
        """Entries a reader sees: no drafts and nothing dated after `now`, unless asked."""
        return tuple(
            e for e in self.entries if (drafts or not e.draft) and (future or not e.is_future(now))
        )

    @cached_property
    def by_day(self) -> Mapping[dt.date, tuple[Entry, ...]]:
        days: dict[dt.date, list[Entry]] = {}
        for entry in self.entries:
            days.setdefault(entry.day, []).append(entry)
        return MappingProxyType({d: tuple(es) for d, es in days.items()})

    @cached_property
    def by_tag(self) -> Mapping[str, TermGroup]:
        """Casefolded tag → group."""
        return _group(self.entries, lambda e: e.tags)

    @cached_property
    def by_category(self) -> Mapping[str, TermGroup]:
        """Casefolded category → group."""
        return _group(self.entries, lambda e: e.categories)

    def latest_before(self, day: dt.date) -> Entry | None:
        """The most recent entry dated before `day` (drafts included: they are still yours)."""
        earlier = [e for e in self.entries if e.day < day]
        return earlier[-1] if earlier else None


def _group(entries: tuple[Entry, ...], terms: Callable[[Entry], tuple[str, ...]]) -> Mapping[str, TermGroup]:
    members: dict[str, list[Entry]] = {}
    spellings: dict[str, Counter[str]] = {}
    for entry in entries:
        for term in terms(entry):
            key = term.casefold()
            members.setdefault(key, []).append(entry)
            spellings.setdefault(key, Counter())[term] += 1
    return MappingProxyType(
        {key: TermGroup(spellings[key].most_common(1)[0][0], tuple(es)) for key, es in sorted(members.items())}
    )
