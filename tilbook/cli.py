"""The `tilbook` command: parse arguments, call one library function, show the result.

Exit codes: 0 success; 1 the work failed (a TilbookError); 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence, TextIO

from typing import TYPE_CHECKING

from tilbook import __version__
from tilbook.config import Config, load_config
from tilbook.errors import ConfigError, Problem, TilbookError, UsageError

if TYPE_CHECKING:
    from tilbook.journal.model import Journal

# Commands import what they use when they run: start-up time is most of a quick command.

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Console:
    """Writes results to stdout and problems to stderr; colour only on a terminal."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.color = self.err.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"

    def _paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def problem(self, problem: Problem) -> None:
        text = problem.format()
        first, _, rest = text.partition("\n")
        if self.color:
            first = self._paint(first, "31" if problem.is_error else "33")
            rest = self._paint(rest, "2") if rest else rest
        print(first + ("\n" + rest if rest else ""), file=self.err)

    def problems(self, problems: Sequence[Problem]) -> None:
        for problem in problems:
            self.problem(problem)

    def note(self, text: str) -> None:
        print(text, file=self.err)

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def progress(self, label: str) -> Callable[[int, int], None] | None:
        """A `\\r` counter on a terminal for long work; None (quiet) in a pipe."""
        if not self.err.isatty():
            return None

        def show(done: int, total: int) -> None:
            if total >= 300 and (done % 100 == 0 or done == total):
                end = "\n" if done == total else ""
                print(f"\r{label} {done}/{total}", end=end, file=self.err, flush=True)

        return show


def _config(args: argparse.Namespace) -> Config:
    return load_config(Path(args.config) if args.config else None)


def _journal(config: Config, console: _Console, *, quiet_problems: bool = True) -> Journal:
    from tilbook.journal.load import load_journal

    journal = load_journal(config, progress=console.progress("reading entries"))
    console.problems(config.warnings)
    if quiet_problems and journal.errors:
        files = len({p.path for p in journal.errors})
        console.note(f"note: {files} entr{'y was' if files == 1 else 'ies were'} skipped for errors; "
                     "run `tilbook check` to see them")
    return journal


def _now(config: Config) -> dt.datetime:
    return dt.datetime.now(config.tilbook.timezone)


# --- commands ---------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.workspace import init_workspace

    folder = Path(args.dir)
    for path, created in init_workspace(folder, language=args.language):
        shown = os.path.relpath(path)
        console.print(f"{'created' if created else 'kept   '} {shown}")
    console.note(f"next: cd {folder} && tilbook new")
    return EXIT_OK


def cmd_new(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.journal.model import Journal
    from tilbook.journal.new import editor_command, parse_day, plan_new_entry, write_new_entry

    config = _config(args)
    now = _now(config)
    try:
        day = parse_day(args.date, now.date()) if args.date else now.date()
    except ValueError as exc:
        console.note(f"tilbook new: --date: {exc}")
        return EXIT_USAGE
    if config.docs_dir.is_dir():
        journal = _journal(config, console)
    else:  # the first entry of a new journal: `write_new_entry` makes the folder
        journal = Journal(entries=(), problems=(), docs_dir=config.docs_dir)
    plan = plan_new_entry(journal, config, day=day, now=now, title=args.title, tags=tuple(args.tag or ()))
    path = write_new_entry(plan, config)
    if plan.carried_from and plan.carried:
        n = sum(len(t.walk()) for t in plan.carried)
        console.note(f"carried {n} open item{'s' if n != 1 else ''} from {config.display_path(plan.carried_from.abs_path or path)}")
    console.print(config.display_path(path))
    if args.edit:
        command = editor_command(path)
        if command is None:
            console.note("no editor: set $EDITOR (for example EDITOR=nano) to use --edit")
            return EXIT_USAGE
        try:
            return EXIT_OK if subprocess.call(command) == 0 else EXIT_FAILED
        except OSError as exc:
            console.note(f"cannot start the editor {command[0]!r}: {exc.strerror}")
            return EXIT_FAILED
    return EXIT_OK


def cmd_todo(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.journal.todo import track_todos

    config = _config(args)
    journal = _journal(config, console)
    today = _now(config).date()
    items = [t for t in track_todos(journal) if args.all or t.is_open]
    if args.json:
        console.print(json.dumps([
            {
                "text": t.text,
                "state": t.state,
                "kind": t.kind,
                "first_day": t.first_day.isoformat(),
                "last_day": t.last_day.isoformat(),
                "age_days": t.age(today),
                "carried": t.carried,
                "due": t.due.isoformat() if t.due else None,
                "overdue": t.is_overdue(today),
                "path": config.display_path(config.docs_dir / t.rel_path),
                "line": t.line,
            }
            for t in items
        ], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not items:
        console.print("nothing open. 🎉" if not args.all else "no items in the journal")
        return EXIT_OK
    for t in items:
        state = {"done": "x", "dropped": "-"}.get(t.state, "!" if t.is_overdue(today) else " ")
        age = f"{t.age(today)}d"
        where = f"{config.display_path(config.docs_dir / t.rel_path)}:{t.line}"
        console.print(f"[{state}] {t.first_day.isoformat()} {age:>4}  {t.text}  ({where})")
    open_count = sum(1 for t in items if t.is_open)
    overdue = sum(1 for t in items if t.is_overdue(today))
    console.note(f"{open_count} open, {overdue} overdue")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, console: _Console) -> int:
    config = _config(args)
    journal = _journal(config, console, quiet_problems=False)
    console.problems(journal.problems)
    errors = len(journal.errors)
    failed = len({p.path for p in journal.errors})
    warnings = len(journal.problems) - errors + len(config.warnings)
    console.print(f"checked {len(journal.entries) + failed} entries: {errors} error{'s' if errors != 1 else ''}, "
                  f"{warnings} warning{'s' if warnings != 1 else ''}")
    return EXIT_FAILED if errors else EXIT_OK


def cmd_build(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.site.build import build_site

    config = _config(args)
    started = time.perf_counter()
    show = console.progress("rendering entries")
    result = build_site(
        config,
        drafts=args.drafts,
        strict=args.strict,
        progress=(lambda stage, done, total: show(done, total)) if show else None,
        use_cache=not args.no_cache,
    )
    console.problems(result.warnings)
    elapsed = time.perf_counter() - started
    where = config.display_path(result.site_dir)
    if result.noop:
        console.print(f"{where}/ is up to date ({result.entries} entries, {result.total} files) in {elapsed:.2f}s")
    else:
        console.print(f"built {where}/: {result.entries} entries, {result.written} of {result.total} files written "
                      f"in {elapsed:.2f}s")
    return EXIT_OK


def _pairs(items: list[str] | None) -> dict[str, str]:
    found = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-p expects name=value, got {item!r}", hint="for example -p epochs=5")
        found[name.strip()] = value.strip()
    return found


def cmd_notebook_list(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.notebooks.spec import list_specs

    config = _config(args)
    specs = list_specs(config)
    if not specs:
        console.note(f"no notebook templates in {config.display_path(config.tilbook.notebooks_dir or config.root)}")
        return EXIT_OK
    lang = config.theme.language
    for spec in specs:
        console.print(f"{spec.name}: {spec.text(spec.title, lang)}")
        console.print(f"  {spec.text(spec.summary, lang)}")
        console.print(f"  profiles: {', '.join(['default', *[p for p in spec.profiles if p != 'default']])}")
        for p in spec.parameters:
            choices = f" ({'|'.join(map(str, p.choices))})" if p.choices else ""
            stage = " [template]" if p.stage == "template" else ""
            console.print(f"  -p {p.name}={p.default}{choices}{stage}  {p.help}")
    return EXIT_OK


def cmd_notebook_new(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.notebooks.render import render_notebook, write_notebook
    from tilbook.notebooks.spec import find_spec, resolve_parameters

    config = _config(args)
    spec = find_spec(config, args.name)
    values = resolve_parameters(spec, profile=args.profile, overrides=_pairs(args.param))
    nb = render_notebook(spec, values, language=config.theme.language, kernel=config.tilbook.kernel,
                         profile=args.profile)
    target = Path(args.output) if args.output else config.root / "notebooks" / f"{spec.name}.ipynb"
    path = write_notebook(nb, target, config=config, force=args.force)
    console.print(config.display_path(path.resolve()))
    return EXIT_OK


# --- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tilbook",
        description="Write a daily learning journal, run its notebooks, publish it as a blog.",
    )
    parser.add_argument("--version", action="version", version=f"tilbook {__version__}")
    parser.add_argument("--config", metavar="PATH", help="mkdocs.yml to use (default: found from here upward)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="make a new workspace (never overwrites a file)",
                       description="Make a new workspace: mkdocs.yml, journal/ with a first entry, .gitignore.")
    p.add_argument("dir", nargs="?", default=".", help="folder for the workspace (default: here)")
    p.add_argument("--language", default="ko", help="language of the built-in prose: ko or en (default: ko)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("new", help="start the day's entry, carrying over open items",
                       description="Create the day's entry from the entry template. Open items of the latest "
                       "earlier entry are carried over. Never overwrites; prints the new file's path.")
    p.add_argument("--date", metavar="D", help="YYYY-MM-DD, today, yesterday, tomorrow or -N (default: today)")
    p.add_argument("--title", metavar="T", help="title (its slug names the file)")
    p.add_argument("--tag", metavar="T", action="append", help="a tag; repeat for more")
    p.add_argument("--edit", action="store_true", help="open the new entry in $VISUAL or $EDITOR")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("todo", help="open and overdue items across the journal",
                       description="List open items with the day each first appeared and how long it has been carried. "
                       "[!] marks an overdue item: planned for a day that has passed.")
    p.add_argument("--all", action="store_true", help="include done [x] and dropped [-] items")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_todo)

    p = sub.add_parser("build", help="build the site into site_dir",
                       description="Build the journal into site_dir (default site/). Only what changed since the "
                       "last build is rendered again; the new site replaces the old one only when the build succeeds.")
    p.add_argument("--drafts", action="store_true", help="include drafts and future entries, with a badge")
    p.add_argument("--strict", action="store_true", help="fail on broken internal links, anchors and missing files")
    p.add_argument("--no-cache", action="store_true", help="ignore .tilbook/cache and render everything")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("notebook", help="tutorial notebooks from templates",
                       description="Generate tutorial notebooks from the templates in notebooks_src/.")
    nbsub = p.add_subparsers(dest="notebook_command", metavar="ACTION", required=True, help="list or new")
    q = nbsub.add_parser("list", help="templates, their parameters and profiles",
                         description="List the notebook templates with their parameters and profiles.")
    q.set_defaults(func=cmd_notebook_list)
    q = nbsub.add_parser("new", help="generate a notebook from a template",
                         description="Generate a notebook (nbformat v4, validated) from a template. Never "
                         "overwrites a file unless --force.")
    q.add_argument("name", help="template name (see `tilbook notebook list`)")
    q.add_argument("-p", dest="param", metavar="NAME=VALUE", action="append", help="set a parameter; repeat for more")
    q.add_argument("--profile", default="default", help="smoke, default or full (default: default)")
    q.add_argument("-o", dest="output", metavar="PATH", help="where to write (default: notebooks/NAME.ipynb)")
    q.add_argument("--force", action="store_true", help="replace an existing file")
    q.set_defaults(func=cmd_notebook_new)

    p = sub.add_parser("check", help="validate the config and every entry without writing",
                       description="Parse the config and every entry; print every problem as path:line: message. "
                       "Exit 1 if there is an error (warnings do not fail).")
    p.set_defaults(func=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # Korean text on a Windows console with a legacy code page must not crash the run.
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            stream.reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    console = _Console()
    try:
        return args.func(args, console)
    except (ConfigError, UsageError) as exc:
        console.problems(exc.problems)
        return EXIT_USAGE
    except TilbookError as exc:
        console.problems(exc.problems)
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.note("interrupted")
        return 130
    except BrokenPipeError:  # `tilbook notebook list | head`: the reader left; not an error
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
