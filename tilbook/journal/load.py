"""docs_dir → `Journal`: scan, read, parse, then make slugs unique. Collects every problem."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from tilbook.config.model import Config
from tilbook.errors import EntryError, Problem
from tilbook.journal.model import DateSource, Entry, FrontMatter, Journal, entry_file, with_todo_views
from tilbook.journal.parse import parse_entry
from tilbook.parallel import map_with_progress
from tilbook.journal.scan import SUFFIXES, entry_paths, scan_journal  # noqa: F401  (re-exported)
from tilbook.source import DecodeProblem, read_text

if TYPE_CHECKING:
    from markdown_it.token import Token

# Parsing is CPU-bound; below this many files a process pool costs more than it saves.
PARALLEL_MIN_FILES = 400

Progress = Callable[[int, int], None]


def git_first_commits(folder: Path) -> dict[Path, dt.datetime]:
    """Absolute path → author date of the commit that added it, for files under `folder`.

    One `git log` for the whole folder. Empty when git or a repository is missing.
    """
    import subprocess  # here: a build whose entries all have dates never needs it

    try:
        top = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout.strip()
        out = subprocess.run(
            ["git", "-C", top, "-c", "core.quotepath=off", "log", "--diff-filter=A", "--format=@@%aI",
             "--name-only", "--no-renames", "--", str(folder)],
            capture_output=True, text=True, encoding="utf-8", check=True, timeout=120,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found: dict[Path, dt.datetime] = {}
    when: dt.datetime | None = None
    for line in out.splitlines():
        if line.startswith("@@"):
            when = dt.datetime.fromisoformat(line[2:])
        elif line and when is not None:
            found[Path(top, unicodedata.normalize("NFC", line))] = when  # newest first: the oldest wins
    return found


def mtime_date(path: Path, config: Config) -> dt.datetime:
    """A file's modification time in the config's zone: the last fallback for an undated entry."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=config.tilbook.timezone)


def load_entry(
    path: Path,
    *,
    config: Config,
    fallback_date: tuple[dt.datetime, DateSource] | None = None,
    body_tokens: Callable[[str, FrontMatter], list[Token]] | None = None,
) -> Entry:
    """Read one entry file (inside docs_dir) and parse it (see `parse_entry` for
    `body_tokens`). Raises `EntryError`."""
    path = path.resolve() if not path.is_absolute() else path
    try:
        rel = PurePosixPath(path.relative_to(config.docs_dir).as_posix())
    except ValueError:
        rel = PurePosixPath(path.name)
    shown = config.display_path(path)
    try:
        text = read_text(path, display=shown)
    except DecodeProblem as exc:
        raise EntryError(problems=[exc.problem]) from exc
    except OSError as exc:
        raise EntryError(f"cannot read the file: {exc.strerror}", path=shown) from exc
    if fallback_date is None:
        fallback_date = (mtime_date(path, config), "mtime")
    return parse_entry(text, rel, config=config, display_path=shown, fallback_date=fallback_date, abs_path=path,
                       body_tokens=body_tokens)


def _load_one(args: tuple[Path, Config]) -> Entry | EntryError:
    path, config = args
    try:
        return load_entry(path, config=config)
    except EntryError as exc:
        return exc


def _load_all(
    paths: list[Path], config: Config, progress: Progress | None, workers: int | None
) -> Iterator[Entry | EntryError]:
    jobs = [(p, config) for p in paths]
    return map_with_progress(_load_one, jobs, threshold=PARALLEL_MIN_FILES, workers=workers, progress=progress)


def load_journal(config: Config, *, progress: Progress | None = None, workers: int | None = None) -> Journal:
    """Load every entry under `config.docs_dir`. Never raises for a bad entry: its problems
    are in `Journal.problems` and it is left out of `Journal.entries`. Raises `ConfigError`
    when docs_dir does not exist.

    `workers`: processes that parse; None decides by journal size (see PARALLEL_MIN_FILES).
    """
    paths = entry_paths(config)
    return assemble_journal(config, _load_all(paths, config, progress, workers))


def assemble_journal(config: Config, results: Iterable[Entry | EntryError], *, dated: bool = False) -> Journal:
    """Parsed entries (or their errors) → a `Journal`: files without any date get their
    first git commit's date (unless `dated`: `date_from_git` was done already), slugs are
    made unique, entries sorted by date then path."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for result in results:
        if isinstance(result, EntryError):
            problems.extend(result.problems)
        else:
            entries.append(result)
    if not dated:
        entries = date_from_git(config, entries)
    entries = unique_slugs(entries, config)  # (pages too: they share the site's addresses)
    for entry in entries:
        problems.extend(entry.warnings)
    pages = sorted((e for e in entries if e.is_page), key=lambda e: e.rel)
    entries = sorted((e for e in entries if not e.is_page), key=lambda e: (e.date, e.rel_path))
    return Journal(entries=tuple(entries), problems=tuple(problems), docs_dir=config.docs_dir, pages=tuple(pages))


def date_from_git(config: Config, entries: list[Entry]) -> list[Entry]:
    """Entries dated by their file's modification time get their first git commit's date
    instead, when git knows the file (the mtime changes with every checkout)."""
    undated = [e for e in entries if e.date_source == "mtime"]
    if not undated:
        return entries
    first = git_first_commits(config.docs_dir)
    redone = {}
    for entry in undated:
        assert entry.abs_path is not None
        when = first.get(Path(unicodedata.normalize("NFC", str(entry.abs_path))))
        if when is not None:
            again = load_entry(entry.abs_path, config=config, fallback_date=(when, "git"))
            # a site build's entries leave their body out (it keeps rendered bodies): so does this one
            redone[entry.rel_path] = again if entry.body else with_todo_views(replace(again, body=""))
    return [redone.get(e.rel_path, e) for e in entries]


def unique_slugs(entries: Iterable[Entry], config: Config) -> list[Entry]:
    """Give every entry its own URL: on a clash the earliest (by date, then path) keeps the
    slug and the others get `-2`, `-3`, ... with a warning. An entry whose own permalink
    has no {slug} cannot move: those claim their addresses first, and a second one at the
    same address gets an error. Deterministic."""
    pattern = config.tilbook.permalink

    def fixed(entry: Entry) -> bool:
        return "{slug}" not in entry.address_pattern(pattern)

    ordered = sorted(entries, key=lambda e: (not fixed(e), e.date, e.rel))
    taken: dict[str, Entry] = {}
    result: list[Entry] = []
    for entry in ordered:
        url = entry.url(pattern).casefold()
        if url not in taken:
            taken[url] = entry
            result.append(entry)
            continue
        first = taken[url]
        if fixed(entry):
            error = Problem(f"{entry.permalink!r} is also the address of {entry_file(config, first)}", path=entry_file(config, entry),
                            line=entry.front_matter.lines.get("permalink"), key="permalink", context="front matter",
                            hint="give one of the two entries another permalink")
            result.append(replace(entry, warnings=entry.warnings + (error,)))
            continue
        n = 2
        while (candidate := replace(entry, slug=f"{entry.slug}-{n}")).url(pattern).casefold() in taken:
            n += 1
        warning = Problem(
            f"slug '{entry.slug}' gives the same URL as {entry_file(config, first)}; this entry uses '{candidate.slug}'",
            path=entry_file(config, entry),
            line=entry.front_matter.lines.get("slug"),
            hint="set a different slug: in its front matter",
            severity="warning",
        )
        candidate = replace(candidate, warnings=entry.warnings + (warning,))
        taken[candidate.url(pattern).casefold()] = candidate
        result.append(candidate)
    return result
