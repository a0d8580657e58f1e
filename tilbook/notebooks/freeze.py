"""The freeze store at build time: the notebooks entries name, checked against the frozen
runs, and the stale ones executed (or, with --no-execute, reported).

A frozen run is `freeze_dir/NAME/` as `tilbook notebook run` writes it. It is fresh when its
record's key (`execute.freeze_key`) equals the key of the notebook the entry asks for now:
the same code, parameters and kernel. A fresh run is used as it is, wherever it ran.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Mapping

from tilbook.config.model import Config
from tilbook.errors import ExecutionError, Problem, TilbookError
from tilbook.journal.model import Entry, NotebookRef, entry_file

State = Literal["fresh", "ran", "stale", "missing", "failed"]


@dataclass(frozen=True)
class NotebookJob:
    """A notebook the journal needs: generated, keyed, with where its run is frozen."""

    name: str
    template: str
    title: str
    """The template's title in the site's language."""
    profile: str
    parameters: dict[str, Any]
    """Run parameters the entry set (they go into the injected cell)."""
    notebook: Any
    """The generated notebook; None in a job a build kept from an earlier one (see
    `collect_jobs`' `make_job`): `refresh_frozen` generates it again if it must run."""
    kernel: str
    """The kernel it runs on (part of its key)."""
    key: str
    folder: Path
    entries: tuple[str, ...] = ()
    """Entries that name it (display paths)."""
    source: tuple[tuple[str, str], ...] = ()
    """The parameters as the entry wrote them (`-p` text), sorted: what made this job."""


def template_job(config: Config, template: str, *, profile: str = "default", params: Mapping[str, str] | None = None,
                 name: str | None = None, kernel_name: str | None = None) -> NotebookJob:
    """A template generated with `params` (`-p` text, checked against its spec) under
    `profile`, keyed, and placed in the freeze store under `name` (default: the template).
    Only run-stage parameters go into the injected cell; template-stage ones shape the
    notebook. Raises `UsageError` for an unknown template or a bad parameter."""
    from tilbook.notebooks.execute import freeze_key
    from tilbook.notebooks.render import render_notebook
    from tilbook.notebooks.spec import find_spec, resolve_parameters

    params = dict(params or {})
    kernel_name = kernel_name or config.tilbook.kernel
    spec = find_spec(config, template)
    values = resolve_parameters(spec, profile=profile, overrides=params)
    nb = render_notebook(spec, values, language=config.theme.language, kernel=kernel_name, profile=profile)
    run_stage = {p.name for p in spec.parameters if p.stage == "run"}
    injected = {k: values[k] for k in params if k in run_stage}
    name = name or spec.name
    return NotebookJob(name=name, template=spec.name, title=spec.text(spec.title, config.theme.language),
                       profile=profile, parameters=injected, notebook=nb, kernel=kernel_name,
                       key=freeze_key(nb, injected, kernel_name), folder=store_folder(config) / name,
                       source=tuple(sorted(params.items())))


@dataclass(frozen=True)
class FrozenNotebook:
    job: NotebookJob
    state: State
    record: dict[str, Any] | None
    """The run record in the store (None when there is none)."""


def collect_jobs(config: Config, entries: Iterable[Entry], kernel_name: str, *,
                 make_job: Callable[..., NotebookJob] | None = None) -> list[NotebookJob]:
    """One job per notebook name across `entries`. Raises `TilbookError` with a problem
    at the entry's line for an unknown template, a bad parameter, or one name used with two
    different settings. `make_job` (the arguments of `template_job`) may stand in for it:
    the build's keeps the jobs of its last run."""
    make_job = make_job or template_job
    problems: list[Problem] = []
    seen: dict[str, tuple[NotebookRef, str]] = {}
    jobs: dict[str, NotebookJob] = {}
    for entry in entries:
        shown = entry_file(config, entry)
        for ref in entry.notebooks:
            settings = (ref.template, ref.profile, ref.params)
            if ref.name in seen:
                first, where = seen[ref.name]
                if (first.template, first.profile, first.params) != settings:
                    problems.append(Problem(
                        f"notebook name {ref.name!r} is already used with other settings in {where}", path=shown,
                        line=ref.line, key="notebooks", context="front matter",
                        hint="give this one its own name: {template: ..., name: another-name, params: {...}}"))
                    continue
                jobs[ref.name] = replace(jobs[ref.name], entries=(*jobs[ref.name].entries, shown))
                continue
            try:
                job = make_job(config, ref.template, profile=ref.profile, params=dict(ref.params), name=ref.name,
                               kernel_name=kernel_name)
            except TilbookError as exc:
                problems.append(Problem(exc.problem.message, path=shown, line=ref.line, key="notebooks",
                                        context="front matter", hint=exc.problem.hint))
                continue
            seen[ref.name] = (ref, f"{shown}:{ref.line}" if ref.line else shown)
            jobs[ref.name] = replace(job, entries=(shown,))
    if problems:
        raise TilbookError(problems=problems)
    return list(jobs.values())


def refresh_frozen(
    config: Config,
    jobs: list[NotebookJob],
    *,
    execute: bool = True,
    refresh: frozenset[str] = frozenset(),
    on_start: Callable[[NotebookJob], None] | None = None,
) -> list[FrozenNotebook]:
    """The frozen state of every job, executing the stale ones when `execute` (and the
    ones named in `refresh` in any case). A kernel starts only for those. A failed run is
    reported, not raised: the build decides what it means. A job without its notebook
    (kept from an earlier build) that must run is generated again first."""
    from tilbook.notebooks.execute import execute_notebook, frozen_run, read_record, resolve_kernel

    results: list[FrozenNotebook] = []
    kernels: dict[str, Any] = {}
    for job in jobs:
        record = None if job.name in refresh else frozen_run(job.folder, job.name, job.key)
        if record is not None:
            results.append(FrozenNotebook(job, "fresh", record))
            continue
        existing = read_record(job.folder)
        if not execute and job.name not in refresh:
            results.append(FrozenNotebook(job, "stale" if existing else "missing", existing))
            continue
        if job.kernel not in kernels:
            kernels[job.kernel] = resolve_kernel(job.kernel, config)
        if job.notebook is None:
            job = replace(template_job(config, job.template, profile=job.profile, params=dict(job.source),
                                       name=job.name, kernel_name=job.kernel), entries=job.entries)
        if on_start:
            on_start(job)
        try:
            ran = execute_notebook(job.notebook, kernel=kernels[job.kernel], folder=job.folder, name=job.name,
                                   parameters=job.parameters, cwd=config.root)
        except ExecutionError:
            results.append(FrozenNotebook(job, "failed", read_record(job.folder)))
            continue
        results.append(FrozenNotebook(job, "ran", json.loads(ran.to_json())))
    return results


def store_folder(config: Config) -> Path:
    """The freeze store: `tilbook.freeze_dir` (default `_freeze/` beside mkdocs.yml)."""
    return config.tilbook.freeze_dir or config.root / "_freeze"
