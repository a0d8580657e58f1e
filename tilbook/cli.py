"""The `tilbook` command: parse arguments, call one library function, show the result.

Exit codes: 0 success; 1 the work failed (a TilbookError); 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from typing import TYPE_CHECKING

from tilbook import __version__
from tilbook.config import Config, load_config
from tilbook.errors import ConfigError, Problem, TilbookError, UsageError, shown_warnings

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
        """A `\\r` counter on a terminal for long work (300 items or more), shown at 0,
        each time it passes a hundred, and at the end; None (quiet) in a pipe."""
        if not self.err.isatty():
            return None
        shown = [0]

        def show(done: int, total: int) -> None:
            if total >= 300 and (done // 100 != shown[0] // 100 or done == total or done == 0):
                shown[0] = done
                end = "\n" if done == total else ""
                print(f"\r{label} {done}/{total}", end=end, file=self.err, flush=True)

        return show


def _config(args: argparse.Namespace, *, cached: bool = False) -> Config:
    return load_config(Path(args.config) if args.config else None, cached=cached)


def _reading_progress(console: _Console) -> Callable[[str, int, int], None] | None:
    """A build's `progress` that shows its parsing only, as "reading entries"."""
    show = console.progress("reading entries")
    if show is None:
        return None
    return lambda stage, done, total: show(done, total) if stage == "parse" else None


def _journal(config: Config, console: _Console) -> Journal:
    """The journal, read through the build's caches (see `build.read_journal`)."""
    from tilbook.site.build import read_journal

    journal = read_journal(config, progress=_reading_progress(console))
    console.problems(config.warnings)
    if journal.errors:
        failed = {p.path for p in journal.errors}
        # An entry read whole may still have an error a build stops at (its address is taken)
        read = failed & {config.display_path(e.abs_path or config.docs_dir / e.rel_path) for e in journal.entries}
        if failed - read:
            files = len(failed - read)
            console.note(f"note: {files} entr{'y was' if files == 1 else 'ies were'} skipped for errors; "
                         "run `tilbook check` to see them")
        if read:
            console.note(f"note: {len(read)} entr{'y has' if len(read) == 1 else 'ies have'} an error that stops "
                         "`tilbook build`; run `tilbook check` to see it")
    return journal


def _now(config: Config) -> dt.datetime:
    return dt.datetime.now(config.tilbook.timezone)


# --- commands ---------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.workspace import init_workspace

    folder = Path(args.dir)
    for path, created in init_workspace(folder, language=args.language, pages_workflow=not args.no_pages_workflow):
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
            import subprocess

            return EXIT_OK if subprocess.call(command) == 0 else EXIT_FAILED
        except OSError as exc:
            console.note(f"cannot start the editor {command[0]!r}: {exc.strerror}")
            return EXIT_FAILED
    return EXIT_OK


def cmd_todo(args: argparse.Namespace, console: _Console) -> int:
    import json

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
                "deadline": t.deadline.isoformat() if t.deadline else None,
                "days_left": t.days_left(today),
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
        left = t.days_left(today)
        goal = "" if t.deadline is None else f"  due {t.deadline.isoformat()}" + (
            f", {left}d left" if left and left > 0 else ", today" if left == 0 else "")
        console.print(f"[{state}] {t.first_day.isoformat()} {age:>4}  {t.text}{goal}  ({where})")
    open_count = sum(1 for t in items if t.is_open)
    overdue = sum(1 for t in items if t.is_overdue(today))
    console.note(f"{open_count} open, {overdue} overdue")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, console: _Console) -> int:
    """Every entry's problems, then what a `--strict` build would find beyond them in the
    entries that read: notebook references, links and anchors between entries, missing
    files, Liquid left as text. Nothing is rendered or written but the caches."""
    from tilbook.site.build import build_site

    config = _config(args)
    # One reading of the journal, through the build's caches: an entry unchanged since the
    # last build or check is not parsed again (reading all of them here too was most of a
    # check: 3.3 s of 2,000 entries).
    result = build_site(config, drafts=True, check_only=True, progress=_reading_progress(console))
    unread = [p for p in result.warnings if p.is_error]  # the entries that do not read
    console.problems([*result.warnings, *result.errors])
    errors = len(unread) + len(result.errors)
    warnings = len(result.warnings) - len(unread)
    failed = len({p.path for p in unread})
    console.print(f"checked {_entries(result.entries + failed, result.pages)}: {errors} error{'s' if errors != 1 else ''}, "
                  f"{warnings} warning{'s' if warnings != 1 else ''}")
    return EXIT_FAILED if errors else EXIT_OK


def cmd_build(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.site.build import build_site

    config = _config(args, cached=not args.no_cache)  # a no-op build then reads no YAML at all
    if args.site_url is not None:
        from urllib.parse import urlsplit

        parts = urlsplit(args.site_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            console.note(f"tilbook build: --site-url: {args.site_url!r} is not an http(s) address "
                         "(write it as https://you.github.io/til/)")
            return EXIT_USAGE
        from dataclasses import replace

        config = replace(config, site_url=args.site_url.strip())
    if _ONE_SHOT[0]:
        from tilbook.parallel import end_paused

        end_paused()
    started = time.perf_counter()
    stages = {"parse": "rendering entries", "pages": "writing pages", "search": "indexing for search"}
    shows = {stage: show for stage, label in stages.items() if (show := console.progress(label))}

    def progress(stage: str, done: int, total: int) -> None:
        shows[stage](done, total)

    result = build_site(
        config,
        drafts=args.drafts,
        strict=args.strict,
        progress=progress if shows else None,
        use_cache=not args.no_cache,
        execute=not args.no_execute,
        refresh=frozenset(args.refresh or ()),
        on_notebook=lambda job: console.note(f"running notebook {job.name} ({job.template}, profile {job.profile}) "
                                             f"for {', '.join(job.entries)}: its code or parameters changed"),
    )
    # (an imported blog's hundreds of missing pictures, again at every build: the first ones and a count)
    shown, more = shown_warnings(result.warnings)
    console.problems(shown)
    if more:
        console.note(more)
    elapsed = time.perf_counter() - started
    where = config.display_path(result.site_dir)
    count = len(result.warnings)
    warned = f", {count} warning{'s' if count != 1 else ''}" if count else ""
    if result.noop:
        console.print(f"{where}/ is up to date ({_entries(result.entries, result.pages)}, {result.total} files{warned}) "
                      f"in {elapsed:.2f}s")
    else:
        console.print(f"built {where}/: {_entries(result.entries, result.pages)}, {result.written} of {result.total} files written"
                      f"{warned} in {elapsed:.2f}s")
    _left_out(result.left_out, console)
    return EXIT_OK


def _left_out(left: Any, console: _Console) -> None:
    """Say which entries the site does not show: a draft is meant, but an entry dated after
    now is often a typo or a time zone (it appears on its date; Jekyll's most asked question)."""
    drafts, future = left.drafts, left.future
    if not drafts and not future:
        return
    parts = [f"{drafts} draft{'s' if drafts != 1 else ''}"] if drafts else []
    if future:
        named = ", ".join(future[:3]) + (f" and {len(future) - 3} more" if len(future) > 3 else "")
        parts.append(f"{len(future)} dated after now ({named}; each is published on its date)")
    console.note(f"not published: {' and '.join(parts)}; --drafts shows them")


def cmd_serve(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.site.serve import serve, warn_host

    config = _config(args)
    console.problems(config.warnings)
    warning = warn_host(args.host)
    if warning:
        console.problems([Problem(warning, key="--host", severity="warning")])

    def report(kind: str, text: str) -> None:
        first, _, rest = text.partition("\n")
        if kind != "note" and console.color:
            first = console._paint(first, "31" if kind == "error" else "33")
        console.note(f"[{time.strftime('%H:%M:%S')}] {first}" + (f"\n{rest}" if rest else ""))

    def ready(url: str) -> None:
        console.print(f"serving {url} (drafts shown; Ctrl-C stops)")
        sys.stdout.flush()

    try:
        serve(config, host=args.host, port=args.port, report=report, ready=ready, load=load_config)
    except OSError as exc:  # a busy port is a UsageError of serve's own; this is the watcher or the disk
        raise TilbookError(f"serve stopped: {exc.strerror or exc}", path=exc.filename,
                           hint="if it says a watch limit was reached (Linux), raise fs.inotify.max_user_watches; "
                                "then run `tilbook serve` again") from exc
    console.note("stopped")
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.doctor import diagnose, format_report

    config = _config(args)
    report = diagnose(config, list(dict.fromkeys(args.kernel or [config.tilbook.kernel])))
    if args.json:
        console.print(report.to_json())
    else:
        for line in format_report(report):
            console.print(line)
    return EXIT_OK if report.healthy else EXIT_FAILED


def _entries(n: int, pages: int = 0) -> str:
    """"14 entries", "1 entry and 2 pages"."""
    said = f"{n} entr{'y' if n == 1 else 'ies'}"
    return f"{said} and {pages} page{'s' if pages != 1 else ''}" if pages else said


def cmd_import(args: argparse.Namespace, console: _Console) -> int:
    import json

    from tilbook.importer import run_import

    config = _config(args)
    report = run_import(args.kind, Path(args.src), config, dry_run=args.dry_run, force=args.force,
                        site_url=args.site_url, show=console.print if args.verbose or args.dry_run else None)
    console.problems(report.warnings)
    for source, why in report.skipped:
        console.note(f"skipped {source}: {why}")
    for source, why in report.left:
        console.note(f"left {source}: {why}")
    for source, why in report.failed:
        console.note(f"not imported {source}: {why}")
    s = report.summary()
    verb = "would import" if args.dry_run else "imported"
    posts = s["imported"] - s["pages"]
    pages = f" and {s['pages']} page{'s' if s['pages'] != 1 else ''}" if s["pages"] else ""
    console.print(f"{verb} {posts} post{'s' if posts != 1 else ''}{pages} from {args.kind} "
                  f"into {config.display_path(config.docs_dir)}/ in {s['seconds']:.1f}s: "
                  f"{s['skipped']} skipped (already there), {s['failed']} failed, {s['warnings']} warnings, "
                  f"{s['files_copied']} files {'to copy' if args.dry_run else 'copied'}, {s['redirects']} old addresses")
    if s["converted"]:
        console.print("converted: " + ", ".join(f"{k} ×{v}" for k, v in s["converted"].items()))
    if s["dropped_keys"]:
        console.print("front matter keys dropped: " + ", ".join(f"{k} ×{v}" for k, v in s["dropped_keys"].items()))
    if args.json:
        console.print(json.dumps(s, ensure_ascii=False))
    return EXIT_FAILED if report.failed else EXIT_OK


def cmd_jupyter_config(args: argparse.Namespace, console: _Console) -> int:
    from tilbook.jupyter_config import write_config

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif args.no_password:
        password = None
    else:
        import getpass

        password = getpass.getpass("Jupyter password (not shown): ")
        if password != getpass.getpass("again: "):
            raise UsageError("the two passwords differ; nothing was written")
    if password == "":
        password = None
    if args.config_dir:
        folder = Path(args.config_dir)
    else:
        from jupyter_core.paths import jupyter_config_dir

        folder = Path(jupyter_config_dir())
    written = write_config(folder, ip=args.ip, port=args.port, password=password, certfile=args.certfile,
                           keyfile=args.keyfile, force=args.force)
    for warning in written.warnings:
        console.problems([Problem(warning, severity="warning")])
    if written.backup:
        console.note(f"kept the old config as {written.backup}")
    console.print(str(written.path))
    console.note(f"start it with `jupyter server` (port {args.port}); from the laptop: "
                 f"`ssh -N -L {args.port}:127.0.0.1:{args.port} desktop`, then http://127.0.0.1:{args.port}/")
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


def cmd_notebook_run(args: argparse.Namespace, console: _Console) -> int:
    import json

    from tilbook.notebooks.execute import KernelLaunch, execute_notebook, frozen_run, read_record, resolve_kernel

    config = _config(args)
    if args.output and len(args.targets) > 1:
        raise UsageError("-o names one folder; it cannot take several notebooks", hint="run them one by one, or drop -o")
    kernel = resolve_kernel(args.kernel or config.tilbook.kernel, config)  # checked before anything starts
    early = None
    if len(args.targets) == 1 and (args.refresh or not _has_record(config, args.targets[0], args)):
        early = KernelLaunch(kernel, config.root).start()  # it will surely run: boot while we prepare
    try:
        jobs = [_run_job(config, target, args) for target in args.targets]
    except BaseException:
        if early:
            early.close()
        raise
    show = _run_progress(console, verbose=args.verbose, several=len(jobs) > 1)
    records = []

    if not args.refresh:  # unchanged since a successful run: nothing to start
        pending = []
        for job in jobs:
            record = frozen_run(job.folder, job.name, job.key)
            if record is None:
                pending.append(job)
                continue
            env = record.get("environment") or {}
            console.note(f"{job.name}: up to date (executed {record.get('started', '?')[:10]} on "
                         f"{env.get('device') or '?'} with torch {env.get('torch') or '-'}); --refresh runs it again")
            records.append(record)
            console.print(config.display_path(job.folder / f"{job.name}.ipynb"))
        jobs = pending
    if early and not jobs:  # its record was up to date after all
        early.close()

    def attempt(job: Any) -> Any:
        """The run's record, or the error it ended with."""
        try:
            return execute_notebook(job.notebook, kernel=kernel, folder=job.folder, name=job.name, launch=early,
                                    parameters=job.parameters, cell_timeout=args.timeout,
                                    total_timeout=args.total_timeout,
                                    progress=(lambda event: show(job.name, event)) if show else None,
                                    on_output=_echo(console, job.name, several=len(jobs) > 1) if args.verbose else None,
                                    cwd=config.root)
        except TilbookError as exc:
            return exc

    if args.jobs > 1 and len(jobs) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(args.jobs, len(jobs))) as pool:
            outcomes = list(pool.map(attempt, jobs))
    else:
        outcomes = [attempt(job) for job in jobs]
    failed = 0
    for job, outcome in zip(jobs, outcomes):
        if isinstance(outcome, TilbookError):
            failed += 1
            console.problems(outcome.problems)
            records.append(read_record(job.folder) or {"notebook": job.name, "status": "error"})
            continue
        records.append(json.loads(outcome.to_json()))
        env = outcome.environment
        where = f", device {env['device']}" if env.get("device") else ""
        console.note(f"{job.name}: ok in {outcome.duration:.1f} s on {outcome.kernel} "
                     f"({env.get('executable') or kernel.interpreter}, Python {env.get('python', '?')}, "
                     f"torch {env.get('torch') or '-'}{where})")
        if outcome.metrics:
            shown = {k: v for k, v in outcome.metrics.items() if not isinstance(v, (list, dict))}
            console.note("  metrics: " + ", ".join(f"{k}={v}" for k, v in shown.items()))
        console.print(config.display_path(job.folder / f"{job.name}.ipynb"))
    if args.json:
        console.print(json.dumps(records[0] if len(records) == 1 else records, ensure_ascii=False, indent=1))
    return EXIT_FAILED if failed else EXIT_OK


def _has_record(config: Any, target: str, args: argparse.Namespace) -> bool:
    """Whether `target` has a run record where `notebook run` keeps it: if not, it will run
    for sure (a record there may still be stale; then the kernel starts later)."""
    from tilbook.notebooks.execute import RECORD_NAME

    return (_run_folder(config, target, args) / RECORD_NAME).is_file()


def _is_notebook_path(target: str) -> bool:
    """A `notebook run` target that names a file rather than a template."""
    return target.endswith(".ipynb") or os.sep in target or "/" in target


def _run_folder(config: Any, target: str, args: argparse.Namespace) -> Path:
    """Where `notebook run` keeps `target`'s run: -o, else the freeze store, under the
    notebook file's stem or the template's name."""
    from tilbook.notebooks.freeze import store_folder

    if args.output:
        return Path(args.output)
    return store_folder(config) / (Path(target).stem if _is_notebook_path(target) else target)


def _run_job(config: Any, target: str, args: argparse.Namespace) -> Any:
    """The `NotebookJob` for a template name (generated as `notebook new` would) or an .ipynb
    path (its `-p` values read as Python literals), in the freeze store or `-o`."""
    from dataclasses import replace

    from tilbook.notebooks.execute import freeze_key
    from tilbook.notebooks.freeze import NotebookJob, template_job

    pairs = _pairs(args.param)
    kernel_name = args.kernel or config.tilbook.kernel
    if _is_notebook_path(target):
        import nbformat

        path = Path(target)
        if not path.is_file():
            raise UsageError(f"no notebook {target!r}", hint="give a path to an .ipynb file or a template name "
                             "(see `tilbook notebook list`)")
        nb = nbformat.read(path, as_version=4)
        values = {k: _literal(v) for k, v in pairs.items()}
        job = NotebookJob(name=path.stem, template="", title=path.stem, profile="", parameters=values, notebook=nb,
                          kernel=kernel_name, key=freeze_key(nb, values, kernel_name),
                          folder=_run_folder(config, target, args))
    else:
        job = template_job(config, target, profile=args.profile, params=pairs, kernel_name=kernel_name)
    return replace(job, folder=Path(args.output)) if args.output else job


def _echo(console: _Console, name: str, *, several: bool) -> Callable[[str, str], None]:
    """With -v, the notebook's own output (tqdm bars included) on stderr, as it comes;
    prefixed with the notebook's name when several run at once."""

    def write(stream: str, text: str) -> None:
        if several:
            text = "".join(f"[{name}] {line}" for line in text.splitlines(keepends=True))
        console.err.write(text)
        console.err.flush()

    return write


def _literal(text: str) -> Any:
    """`-p` values for a notebook file: Python literals (5, 0.1, True, 'x'), else the text."""
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _run_progress(console: _Console, *, verbose: bool, several: bool) -> Callable[[str, Any], None] | None:
    """One updating line per run on a terminal (cell n/N, its first line, elapsed); a line per
    cell with --verbose or in a pipe with --verbose; nothing otherwise."""
    tty = console.err.isatty()
    if not tty and not verbose:
        return None

    def show(name: str, event: Any) -> None:
        minutes, seconds = divmod(int(event.elapsed), 60)
        if event.cell is None:
            text = f"{name}: {event.done}/{event.total} cells, {minutes}:{seconds:02d}"
        else:
            text = f"{name}: cell {event.done + 1}/{event.total} {event.first_line[:50]}  {minutes}:{seconds:02d}"
        if tty and not verbose and not several:
            print(f"\r\x1b[2K{text}", end="\n" if event.cell is None else "", file=console.err, flush=True)
        else:
            print(text, file=console.err, flush=True)

    return show


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
                       description="Make a new workspace: mkdocs.yml, journal/ with a first entry, .gitignore, and a "
                       "GitHub Actions workflow that publishes the site to GitHub Pages on every push.")
    p.add_argument("dir", nargs="?", default=".", help="folder for the workspace (default: here)")
    p.add_argument("--language", default="ko", help="language of the built-in prose: ko or en (default: ko)")
    p.add_argument("--no-pages-workflow", action="store_true",
                   help="leave out .github/workflows/pages.yml (publishing to GitHub Pages on every push)")
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
    p.add_argument("--no-execute", action="store_true", help="start no kernel: use the frozen notebook runs as they "
                   "are, and report the stale ones (errors with --strict)")
    p.add_argument("--refresh", metavar="NAME", action="append", help="run this notebook again even if its frozen "
                   "run is up to date; repeat for more")
    p.add_argument("--site-url", metavar="URL", help="build for this address instead of mkdocs.yml's site_url (the "
                   "GitHub Pages workflow passes the address Pages gives the repository)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("serve", help="preview the site, rebuilt and reloaded as you write",
                       description="Build the site with drafts into .tilbook/serve/site (never site/), serve it, and "
                       "rebuild when an entry, mkdocs.yml, the theme or a notebook changes; open pages reload by "
                       "themselves and show a build error as an overlay until it is fixed. Notebooks are not run "
                       "(their frozen results are shown). Ctrl-C stops.")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("doctor", help="find what breaks notebooks: kernels, NumPy/torch, CUDA, Jupyter settings",
                       description="Inspect tilbook's environment, each kernel from inside its own interpreter (Python, "
                       "NumPy, torch and its CUDA build, the driver, the devices, the packages the templates need) and "
                       "Jupyter's config files (listening on all interfaces without a password, NotebookApp settings "
                       "Jupyter Server ignores, a quoted password hash). Each problem comes with its fix. Exit 0 when "
                       "healthy, 1 when a problem was found.")
    p.add_argument("--kernel", action="append", metavar="K", help="inspect this kernelspec (default: tilbook.kernel); "
                   "repeat for more")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("import", help="bring an existing Jekyll, Hugo, Zola or MkDocs blog into the journal",
                       description="Convert the posts of an existing blog into journal entries: dates (with their "
                       "offsets), titles, tags, categories and drafts kept; Liquid and shortcodes turned into Markdown "
                       "where they have a meaning and reported where not; files the posts link to copied; each post's "
                       "old address kept in redirect_from, so the site redirects from it. Never overwrites an entry "
                       "without --force (which keeps a backup in .tilbook/import-backup/). Exit 1 when a post could "
                       "not be converted (the others are imported).")
    p.add_argument("kind", choices=["jekyll", "hugo", "zola", "mkdocs"], help="what the old blog is built with")
    p.add_argument("src", help="the old blog's folder (its root, or _posts / content / docs)")
    p.add_argument("--dry-run", action="store_true", help="print what would be written; write nothing")
    p.add_argument("--force", action="store_true", help="replace entries that exist, keeping a backup")
    p.add_argument("--site-url", metavar="URL", help="the old site's address, for its old links and files "
                   "(default: from its config: url+baseurl, baseURL, base_url or site_url)")
    p.add_argument("-v", "--verbose", action="store_true", help="a line per post written")
    p.add_argument("--json", action="store_true", help="print the summary as JSON too")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("jupyter-config", help="write a safe Jupyter Server config for remote access",
                       description="Write jupyter_server_config.py in Jupyter's config folder: ServerApp settings (not "
                       "NotebookApp), the port, no browser, and only the argon2 hash of a password asked for without "
                       "echo. Refuses to listen beyond this machine without a password; warns when there is no TLS; "
                       "never replaces an existing config without --force, which keeps a backup.")
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1: reach it over SSH)")
    p.add_argument("--port", type=int, default=8888, help="port (default 8888)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input (scripts)")
    p.add_argument("--no-password", action="store_true", help="no password (only with the default --ip)")
    p.add_argument("--certfile", help="TLS certificate (with --keyfile)")
    p.add_argument("--keyfile", help="TLS private key (with --certfile)")
    p.add_argument("--config-dir", metavar="DIR", help="write here instead of Jupyter's config folder")
    p.add_argument("--force", action="store_true", help="replace an existing config, keeping a backup")
    p.set_defaults(func=cmd_jupyter_config)

    p = sub.add_parser("notebook", help="tutorial notebooks from templates",
                       description="Generate tutorial notebooks from the templates in notebooks_src/ and run them.")
    nbsub = p.add_subparsers(dest="notebook_command", metavar="ACTION", required=True, help="list, new or run")
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

    q = nbsub.add_parser("run", help="execute notebooks on the configured kernel",
                         description="Execute notebooks (template names or .ipynb paths) on the kernel named by "
                         "tilbook.kernel or --kernel, checked before it starts. Each run writes the executed notebook, "
                         "run.json (status, timings, environment seen inside the kernel, parameters, metrics) and its "
                         "figures into the freeze store (_freeze/NAME/) or -o. A failed run keeps the partial notebook "
                         "with a banner at the failed cell and exits 1; Ctrl-C interrupts the kernel, saves, exits 130.")
    q.add_argument("targets", nargs="+", metavar="NAME|PATH", help="template name or notebook file; several allowed")
    q.add_argument("-p", dest="param", metavar="NAME=VALUE", action="append", help="set a parameter; repeat for more")
    q.add_argument("--profile", default="default", help="smoke, default or full, for template names (default: default)")
    q.add_argument("--kernel", metavar="K", help="kernelspec to run on (default: tilbook.kernel)")
    q.add_argument("--timeout", type=float, metavar="S", help="seconds a cell may run (default: no limit)")
    q.add_argument("--total-timeout", type=float, metavar="S", help="seconds the whole run may take")
    q.add_argument("-j", dest="jobs", type=int, default=1, metavar="N", help="run N notebooks at once")
    q.add_argument("-o", dest="output", metavar="FOLDER", help="write here instead of the freeze store")
    q.add_argument("--json", action="store_true", help="print the run record as JSON")
    q.add_argument("--refresh", action="store_true", help="run even when an earlier run of the same code and "
                   "parameters succeeded (otherwise it is reused without starting a kernel)")
    q.add_argument("-v", "--verbose", action="store_true", help="a line per cell, and the cells' own output "
                   "(progress bars included) as it comes")
    q.set_defaults(func=cmd_notebook_run)

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


_ONE_SHOT = [False]  # set by `run`: this process ends after the command


def run() -> int:
    """The `tilbook` command: `main`, in a process that ends after it."""
    _ONE_SHOT[0] = True
    code = main()
    # The process is about to end: the interpreter's last garbage collection need not walk
    # what the command kept (a build's journal and caches), which was 0.2-0.3 s of a
    # one-entry rebuild of 2,000 entries. (Not in `main`: tests call it in one long process.)
    import gc

    gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
