"""`tilbook build`: journal → site/, incrementally, atomically.

    gather   read every entry file and hash it; a build whose inputs all match the last one
             is a no-op
    parse    parse and render the entries whose bytes changed (in parallel), reuse the rest
    collect  every page with a key over what decides its bytes
    render   only the pages whose key changed
    write    assemble the new site beside the old one and swap it in

Caches live in `.tilbook/cache/` (git-ignored); deleting them is always safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import re
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable
from urllib.parse import unquote

from tilbook import __version__
from tilbook.config.model import Config
from tilbook.errors import BuildError, EntryError, Problem
from tilbook.journal.load import assemble_journal, entry_paths, load_entry, scan_journal, SUFFIXES
from tilbook.journal.model import Entry
from tilbook.source import DecodeProblem, decode_text
from tilbook.journal.parse import parse_entry
from tilbook.site.collect import Page, base_path, collect_site, digest, href, site_origin
from tilbook.site.liquid import convert_jekyll
from tilbook.site.markdown import (
    RenderedBody,
    extension_warnings,
    link_rewriter,
    markdown_options,
    render_markdown,
)
from tilbook.site.render import asset_files, environment, render_page, theme_key

CACHE_FORMAT = 1
PARALLEL_MIN = 200
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildResult:
    site_dir: Path
    written: int
    """Files rendered or copied anew."""
    total: int
    """Files in the site."""
    noop: bool
    warnings: tuple[Problem, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    entries: int = 0


def cache_dir(config: Config) -> Path:
    return config.root / ".tilbook" / "cache"


def _load_pickle(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None  # a missing or stale cache only costs time


def _save_pickle(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _wants_math(entry: Entry) -> bool:
    data = entry.front_matter.data
    return any(data.get(k) is True for k in ("math", "use_math", "mathjax", "katex"))


# --- parse + render one entry (runs in worker processes) --------------------------------------

_JOB: dict[str, Any] = {}


def _parse_render(item: tuple[Path, bytes]) -> tuple[str, Entry | EntryError, RenderedBody | None]:
    config: Config = _JOB["config"]
    path, data = item
    rel = path.relative_to(config.docs_dir).as_posix()
    shown = config.display_path(path)
    try:
        text = decode_text(data, path=shown)
    except DecodeProblem as exc:
        return rel, EntryError(problems=[exc.problem]), None
    try:
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=config.tilbook.timezone)
        entry = parse_entry(text, rel, config=config, display_path=shown, fallback_date=(mtime, "mtime"), abs_path=path)
    except EntryError as exc:
        return rel, exc, None
    return rel, entry, render_body(entry, config, shown)


def render_body(entry: Entry, config: Config, shown: str) -> RenderedBody:
    base = base_path(config)
    body = entry.body
    notes: list[Problem] = []
    if entry.front_matter.format == "yaml" and ("{%" in body or "{{" in body or "{:" in body):
        result = convert_jekyll(
            body, base_path=base, site_url=site_origin(config) + base,
            post_url=lambda name: f"tilbook:post/{name}",
        )
        body = result.text
        for line, text in result.leftovers[:20]:
            notes.append(Problem(f"Liquid {text[:60]!r} is left as text", path=shown, line=entry.body_line + line - 1,
                                 hint="tilbook runs no Liquid; wrap it in {% raw %}...{% endraw %} to silence this",
                                 severity="warning"))
    options = markdown_options(config, math=_wants_math(entry))
    rendered = render_markdown(body, options, link=link_rewriter(entry.rel_path.as_posix(), base))
    if notes:
        rendered = RenderedBody(**{**rendered.__dict__, "notes": tuple(notes)})
    return rendered


def _run_jobs(items: list[tuple[Path, bytes]], config: Config, workers: int | None,
              progress: Progress | None) -> list[tuple[str, Entry | EntryError, RenderedBody | None]]:
    _JOB["config"] = config
    n = workers if workers is not None else (min(os.cpu_count() or 1, 8) if len(items) >= PARALLEL_MIN else 1)
    out = []
    if n > 1 and len(items) > 1:
        with ProcessPoolExecutor(n, initializer=_JOB.update, initargs=({"config": config},)) as pool:
            for i, result in enumerate(pool.map(_parse_render, items, chunksize=max(1, len(items) // (n * 8))), 1):
                out.append(result)
                if progress:
                    progress("parse", i, len(items))
        return out
    for i, item in enumerate(items, 1):
        out.append(_parse_render(item))
        if progress:
            progress("parse", i, len(items))
    return out


# --- rendering pages (forked workers inherit the pages) ------------------------------------

_PAGES: list[Page] = []


def _render_index(i: int) -> bytes:
    return render_page(environment(_JOB["config"]), _PAGES[i])


def _render_pages(pages: list[Page], config: Config, workers: int | None) -> list[bytes]:
    global _PAGES
    n = workers if workers is not None else (min(os.cpu_count() or 1, 8) if len(pages) >= PARALLEL_MIN else 1)
    env = environment(config)
    if n > 1 and os.name == "posix":
        import multiprocessing

        _PAGES, _JOB["config"] = pages, config
        try:
            with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork")) as pool:
                return list(pool.map(_render_index, range(len(pages)), chunksize=max(1, len(pages) // (n * 8))))
        finally:
            _PAGES = []
    return [render_page(env, page) for page in pages]


# --- the build ---------------------------------------------------------------------------------


def _hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def build_site(
    config: Config,
    *,
    drafts: bool = False,
    strict: bool = False,
    now: dt.datetime | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> BuildResult:
    """Build `config.site_dir`. Raises `BuildError` (with every problem) and leaves the old
    site untouched when any entry has an error, or with `strict` when a link is broken."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = time.perf_counter() - clock
        clock = time.perf_counter()

    now = now or dt.datetime.now(config.tilbook.timezone)
    today = now.astimezone(config.tilbook.timezone).date()
    site_dir = config.site_dir
    cache = cache_dir(config)

    # gather
    paths = entry_paths(config)
    blobs = {p: p.read_bytes() for p in paths}
    hashes = {p.relative_to(config.docs_dir).as_posix(): _hash(b) for p, b in blobs.items()}
    assets_found = _scan_assets(config.docs_dir)
    asset_hashes = {rel: _hash(p.read_bytes()) for rel, p in assets_found.items()}
    config_bytes = config.config_path.read_bytes()
    tkey = theme_key(config)
    inputs = digest(CACHE_FORMAT, __version__, config_bytes, tkey, drafts, strict, sorted(hashes.items()),
                    sorted(asset_hashes.items()), today)
    manifest = _load_pickle(cache / "manifest.pkl") if use_cache else None
    lap("gather")
    if (manifest and manifest.get("inputs") == inputs and (site_dir / "index.html").is_file()
            and (manifest.get("next_change") is None or now < manifest["next_change"])):
        return BuildResult(site_dir, 0, len(manifest["files"]), True, tuple(manifest.get("warnings", ())), timings,
                           manifest.get("entries", 0))

    # parse: reuse entries and bodies whose bytes (and the config) are unchanged
    parse_key = digest(CACHE_FORMAT, __version__, config_bytes)
    stored = _load_pickle(cache / "entries.pkl") if use_cache else None
    known: dict[str, tuple[str, Entry, RenderedBody]] = stored["items"] if stored and stored.get("key") == parse_key else {}
    results: list[Entry | EntryError] = []
    bodies: dict[str, RenderedBody] = {}
    todo_items: list[tuple[Path, bytes]] = []
    for path in paths:
        rel = path.relative_to(config.docs_dir).as_posix()
        hit = known.get(rel)
        if hit and hit[0] == hashes[rel] and hit[1].date_source != "mtime":
            results.append(hit[1])
            bodies[rel] = hit[2]
        else:
            todo_items.append((path, blobs[path]))
    for rel, outcome, body in _run_jobs(todo_items, config, workers, progress):
        results.append(outcome)
        if body is not None:
            bodies[rel] = body
    journal = assemble_journal(config, results)
    lap("parse")
    if journal.errors:
        raise BuildError(problems=journal.errors)
    fresh = {e.rel_path.as_posix(): (hashes[e.rel_path.as_posix()], e, bodies[e.rel_path.as_posix()])
             for e in journal.entries}

    # collect
    site = collect_site(journal, config, bodies, now=now, drafts=drafts, theme_key=tkey)
    warnings = [*config.warnings, *extension_warnings(config), *journal.problems]
    for entry in site.entries:
        warnings.extend(bodies[entry.rel_path.as_posix()].notes)
    files_key: dict[str, str] = {p.path: p.key for p in site.pages}
    asset_bytes = asset_files(config, math=site.has_math)
    missing = _check_assets(site, bodies, assets_found, config)
    problems = list(missing)
    if strict:
        problems.extend(_check_links(site, bodies, assets_found, config))
    if strict and problems:
        raise BuildError(problems=[Problem(**{**p.__dict__, "severity": "error"}) for p in problems])
    warnings.extend(missing)
    lap("collect")

    # render only pages whose key changed (or whose file is gone)
    old_files: dict[str, str] = manifest.get("files", {}) if manifest and site_dir.is_dir() else {}
    changed = [p for p in site.pages if old_files.get(p.path) != p.key or not (site_dir / p.path).is_file()]
    rendered = dict(zip((p.path for p in changed), _render_pages(changed, config, workers)))
    reuse = {p.path: p.path for p in site.pages if p.path not in rendered}
    for rel, data in asset_bytes.items():
        key = _hash(data)
        files_key[rel] = key
        if old_files.get(rel) == key and (site_dir / rel).is_file():
            reuse[rel] = rel
        else:
            rendered[rel] = data
    for rel, source in assets_found.items():
        if rel in files_key:  # a page or theme asset of the same name wins
            continue
        files_key[rel] = "a:" + asset_hashes[rel]
        if old_files.get(rel) == files_key[rel] and (site_dir / rel).is_file():
            reuse[rel] = rel
        else:
            rendered[rel] = source.read_bytes()
    lap("render")

    write_tree_or_fail(site_dir, rendered, reuse)
    lap("write")

    future = [e.date for e in journal.entries if e.date > now]
    if use_cache:
        _save_pickle(cache / "entries.pkl", {"key": parse_key, "items": fresh})
        _save_pickle(cache / "manifest.pkl", {
            "inputs": inputs, "files": files_key, "next_change": min(future) if future else None,
            "warnings": tuple(warnings), "entries": len(site.entries),
        })
    lap("save")
    return BuildResult(site_dir, len(rendered), len(files_key), False, tuple(warnings), timings, len(site.entries))


def write_tree_or_fail(site_dir: Path, files: dict[str, bytes], reuse: dict[str, str]) -> None:
    from tilbook.site.write import write_tree

    try:
        write_tree(site_dir, files, reuse)
    except OSError as exc:
        raise BuildError(f"cannot write the site: {exc.strerror}: {exc.filename}", path=str(site_dir),
                         hint="check the disk space and permissions; the previous site is unchanged") from exc


def _scan_assets(docs: Path) -> dict[str, Path]:
    """Non-Markdown files under docs_dir (images and the like), copied to the same path."""
    found: dict[str, Path] = {}
    for folder, dirs, files in os.walk(docs):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (d.startswith("_") and d not in ("_posts", "_drafts")))
        for name in files:
            if name.startswith(".") or name.lower().endswith(SUFFIXES):
                continue
            path = Path(folder, name)
            found[path.relative_to(docs).as_posix()] = path
    return found


def _check_assets(site: Any, bodies: dict[str, RenderedBody], assets: dict[str, Path], config: Config) -> list[Problem]:
    problems = []
    for entry in site.entries:
        for rel in bodies[entry.rel_path.as_posix()].assets:
            if rel not in assets:
                problems.append(Problem(
                    f"links to {rel!r}, which is not in {config.display_path(config.docs_dir)}/",
                    path=config.display_path(config.docs_dir / entry.rel_path),
                    hint="put the file there, or fix the path (it is relative to the entry's folder)",
                    severity="warning",
                ))
    return problems


_HREF = re.compile(r'href="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')


def _check_links(site: Any, bodies: dict[str, RenderedBody], assets: dict[str, Path], config: Config) -> list[Problem]:
    """Internal links and anchors in entry bodies that lead nowhere."""
    base = base_path(config)
    pages = {unquote(p.url): p for p in site.pages}
    ids_of: dict[str, set[str]] = {}
    problems = []
    for page in site.pages:
        if page.template != "entry.html":
            continue
        html = page.context["body"].html
        ids_of[unquote(page.url)] = set(_ID.findall(html))
    for page in site.pages:
        if page.template != "entry.html":
            continue
        entry_card = page.context["entry"]
        src = next(e for e in site.entries if href(base, e.url(config.tilbook.permalink)) == entry_card.url)
        shown = config.display_path(config.docs_dir / src.rel_path)
        for target in _HREF.findall(page.context["body"].html):
            if re.match(r"^[a-zA-Z][\w+.-]*:|^//", target) and not target.startswith("tilbook:"):
                continue
            path, _, frag = unquote(target).partition("#")
            if not path:
                path = unquote(page.url)
            elif not path.startswith(base + "/") and not path.startswith("/"):
                problems.append(Problem(f"broken link {target!r}", path=shown, hint="link to an existing entry or file"))
                continue
            rel = path[len(base) + 1:] if base else path.lstrip("/")
            if path not in pages and (path + "/") not in pages and rel not in assets:
                problems.append(Problem(f"broken link {target!r}: no such page or file", path=shown,
                                        hint="link to an existing entry or file"))
            elif frag and path in ids_of and frag not in ids_of[path]:
                problems.append(Problem(f"broken anchor {target!r}: no heading with id '{frag}'", path=shown,
                                        hint="anchors are the heading text in lower case with '-' for spaces"))
    return problems
