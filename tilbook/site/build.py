"""`tilbook build`: journal → site/, incrementally, atomically.

    gather   read every entry file and hash it; a build whose inputs all match the last one
             is a no-op
    parse    parse and render the entries whose bytes changed (in parallel), reuse the rest
    collect  every page with a key over what decides its bytes
    render   only the pages whose key changed, into a staging folder beside site/
    write    publish: swap the staging folder in (first build) or move the changed files in

When the only change is to bodies, and to nothing of them that other pages show (a writer
adding to an entry), `_bodies_edited` parses those entries alone and makes their pages and
the feed again from what the last build kept: no collect, nothing else read.

Caches live in `.tilbook/cache/` (git-ignored); deleting them is always safe.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import time
import unicodedata
import zlib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from tilbook import __version__
from tilbook.config.model import Config, workspace_cache
from tilbook.errors import BuildError, EntryError, Problem
from tilbook.journal.scan import entry_files, scan_assets
from tilbook.parallel import paused_gc, resumed_gc, worker_count, worker_pool
from tilbook.site.keys import digest, hash_bytes
from tilbook.site.theme import theme_key

if TYPE_CHECKING:
    from tilbook.journal.model import Entry, Journal
    from tilbook.site.bodies import Outcome
    from tilbook.site.collect import Page
    from tilbook.site.markdown import RenderedBody

# A no-op build imports only what is above; the parser, the theme engine and the rest load
# when there is work to do (start-up time is most of a no-op build).

# Bumped whenever what a cached entry or body holds changes (3: entries keep their old
# addresses; bodies leave out a first heading that repeats the title; 4: Zola's
# [taxonomies] table gives an entry its tags and categories; 5, 6: bodies keep an excerpt
# with math and their first image; 7: emphasis next to Korean, see journal/emphasis.py;
# 8: the id of a first heading left out for repeating the title; 9: an entry's own permalink;
# 10: raw HTML balanced, see site/rawhtml.py; 11: the default slug for an untitled entry
# named by its date; 12: the front matter's description is the excerpt; 13: authors; 14: image;
# 15: pin; 16: pages, `layout: page`; 17: todos' deadlines, and a warning for a marker's bad day).
CACHE_FORMAT = 17
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
    changed: tuple[str, ...] = ()
    """The files written anew (site-relative), sorted."""
    search_stale: bool = False
    """The search index is behind the entries (a build with search_index=False)."""
    errors: tuple[Problem, ...] = ()
    """With `check_only`: what `--strict` would fail on (a build raises them instead)."""
    left_out: LeftOut = field(default_factory=lambda: LeftOut())
    """Entries that read but are not published: drafts, and those dated after now."""
    pages: int = 0
    """Pages of the site (`Entry.is_page`) published, beside the `entries`."""


@dataclass(frozen=True)
class LeftOut:
    """What a build did not publish of the entries that read (`--drafts` publishes them)."""

    drafts: int = 0
    future: tuple[str, ...] = ()
    """The files of entries dated after the build's time, oldest first."""

    @classmethod
    def of(cls, journal: Journal, config: Config, now: dt.datetime, *, drafts: bool) -> LeftOut:
        if drafts:
            return cls()
        from tilbook.journal.model import entry_file

        later = sorted((e for e in journal.entries if not e.draft and e.is_future(now)), key=lambda e: e.date)
        return cls(sum(e.draft for e in (*journal.entries, *journal.pages)), tuple(entry_file(config, e) for e in later))


def cache_dir(config: Config) -> Path:
    return workspace_cache(config.root)


def _load_pickle(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None  # a missing or stale cache only costs time


def _save_pickle(path: Path, value: Any) -> None:
    from tilbook.files import write_atomic

    write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


class CacheFiles:
    """The build's caches: pickles in `folder`. With `keep` (a warm process: `serve`) they
    are also held in memory: reads after the first come from there, and writes wait for
    `flush()` (loading and saving them is most of a one-entry rebuild at 2,000 entries)."""

    def __init__(self, folder: Path, *, keep: bool = False) -> None:
        self.folder, self.keep = folder, keep
        self._held: dict[str, Any] = {}
        self._dirty: set[str] = set()
        self.published: dict[str, tuple[int, int]] = {}
        """With `keep`: each site folder this process published last, as (device, inode)
        after publishing (see `_site_is_ours`)."""

    def load(self, name: str) -> Any:
        if name in self._held:
            return self._held[name]
        value = _load_pickle(self.folder / name)
        if self.keep:
            self._held[name] = value
        return value

    def save(self, name: str, value: Any) -> None:
        if self.keep:
            self._held[name] = value
            self._dirty.add(name)
        else:
            _save_pickle(self.folder / name, value)

    def has(self, name: str) -> bool:
        """Whether there is a cache of that name (without loading it)."""
        return self._held.get(name) is not None or (self.folder / name).is_file()

    def drop(self, name: str) -> None:
        self._held.pop(name, None)
        self._dirty.discard(name)
        (self.folder / name).unlink(missing_ok=True)

    def flush(self) -> None:
        for name in sorted(self._dirty):
            _save_pickle(self.folder / name, self._held[name])
        self._dirty.clear()


# Parsed entries and their rendered bodies (HTML aside) are kept in shards, by a hash of
# their path: a one-entry rebuild rewrites one small file, not the whole journal's (a
# 2,000-entry journal's pickle took 0.15 s to write).
ENTRY_SHARDS = 32
_SHARD_NAMES = tuple(f"entries-{i:02d}.pkl" for i in range(ENTRY_SHARDS))
Cached = dict[str, tuple[str, "Entry", "RenderedBody"]]


@lru_cache(maxsize=65536)
def _shard_number(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogatepass")) % ENTRY_SHARDS


def _shard(rel: str) -> str:
    return _SHARD_NAMES[_shard_number(rel)]


def _load_entries(caches: CacheFiles, parse_key: str) -> Cached:
    """rel_path → (content hash, entry as parsed, rendered body) from the last build, for
    the parse key it was made with (the config and tilbook's version)."""
    found: Cached = {}
    for name in _SHARD_NAMES:
        stored = caches.load(name)
        if stored and stored.get("key") == parse_key:
            found.update(stored["items"])
    return found


def _save_entries(caches: CacheFiles, parse_key: str, known: Cached, parsed: Cached) -> None:
    """Write the shards whose entries changed since `known` was loaded."""
    shards: dict[str, Cached] = {}
    for rel, item in parsed.items():
        shards.setdefault(_shard(rel), {})[rel] = item
    dirty = {_shard(rel) for rel in known.keys() - parsed.keys()}
    dirty.update(_shard(rel) for rel, item in parsed.items()
                 if (old := known.get(rel)) is None or old[0] != item[0] or old[1] is not item[1] or old[2] is not item[2])
    if not known:  # nothing matched: a first build, or a new config; every shard is written
        dirty = set(_SHARD_NAMES)
    for name in sorted(dirty):
        caches.save(name, {"key": parse_key, "items": shards.get(name, {})})


BUNDLES = "search-bundles"
"""The cache's folder of Pagefind bundles (`_KeptBundles`)."""


def seed_cache(folder: Path, source: Path) -> bool:
    """Start the cache `folder`, when it does not exist yet, from the parsed entries and
    rendered bodies (and code blocks) in `source`: `serve`'s first build from `build`'s
    caches. Both are keyed by content and the parse settings, which the preview shares; the
    manifest and what the pages were made from stay behind, as each cache describes its own
    site. Returns whether it seeded; on any failure nothing is left and the build parses.

    Why: the first `serve` of a journal that `build` had just built parsed it all again
    (4.4 s at 2,000 entries; the next `serve` 0.2 s)."""
    import shutil
    import sqlite3
    import tempfile

    if folder.exists() or not any((source / name).is_file() for name in _SHARD_NAMES):
        return False
    staging = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".seed-", dir=folder.parent))
        for name in _SHARD_NAMES:
            if (source / name).is_file():
                shutil.copyfile(source / name, staging / name)
        if (source / BUNDLES).is_dir():
            shutil.copytree(source / BUNDLES, staging / BUNDLES)
        if (source / "html.sqlite").is_file():  # copied through SQLite: a build may be writing to it
            src = sqlite3.connect(f"{(source / 'html.sqlite').resolve().as_uri()}?mode=ro", uri=True)
            dst = sqlite3.connect(staging / "html.sqlite")
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()
        os.rename(staging, folder)
        return True
    except (OSError, sqlite3.Error):
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        return False


# --- rendering pages (forked workers inherit these: nothing is pickled) ---------------------

_PAGES: list[Page] = []
_ENV: list[Any] = []
_STAGING: list[Any] = []


def _render_index(i: int) -> None:
    from tilbook.site.render import render_page
    from tilbook.site.write import write_staged

    write_staged(_STAGING[0].staged(_PAGES[i].path), render_page(_ENV[0], _PAGES[i]))


def _render_pages(pages: list[Page], config: Config, workers: int | None, staging: Any, theme: str,
                  compiled: Path | None, progress: Progress | None = None) -> None:
    """Render `pages` into the staging folder, in forked workers when there are many (they
    inherit the pages: nothing is pickled)."""
    from tilbook.site.render import environment, render_page
    from tilbook.site.write import write_staged

    global _PAGES
    n = worker_count(len(pages), threshold=PARALLEL_MIN, requested=workers)
    env = environment(config, theme, compiled)
    if n > 1 and os.name == "posix":
        _PAGES, _ENV[:], _STAGING[:] = pages, [env], [staging]
        try:
            with worker_pool(n, fork=True) as pool:
                for i, _ in enumerate(pool.map(_render_index, range(len(pages))), 1):
                    if progress:
                        progress("pages", i, len(pages))
        finally:
            _PAGES = []
        return
    for i, page in enumerate(pages, 1):
        write_staged(staging.staged(page.path), render_page(env, page))
        if progress:
            progress("pages", i, len(pages))


# --- the build ---------------------------------------------------------------------------------


@paused_gc()  # the collector's passes over a build's objects: a third of a rebuild at 10,000 entries
def build_site(
    config: Config,
    *,
    drafts: bool = False,
    strict: bool = False,
    now: dt.datetime | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
    execute: bool = True,
    refresh: frozenset[str] = frozenset(),
    on_notebook: Callable[[Any], None] | None = None,
    caches: CacheFiles | None = None,
    search_index: bool = True,
    cancel: Any = None,
    check_only: bool = False,
) -> BuildResult:
    """Build `config.site_dir`. Raises `BuildError` (with every problem) and leaves the old
    site untouched when any entry has an error, or with `strict` when a link is broken.

    Notebooks that entries name are brought up to date in the freeze store first: stale
    ones run (`on_notebook(job)` as each starts) unless `execute` is False, in which case
    they are reported (errors with `strict`); names in `refresh` run in any case.

    `caches` replaces the pickles in `.tilbook/cache/` (`serve` keeps its own, in memory).
    With `search_index` False
    the search index is not rebuilt: the last one stays, and `search_stale` says whether
    it is behind (`serve` indexes later, when the writer pauses). `cancel` (a
    threading.Event) stops a search indexing in progress: the build then raises
    `BuildCancelled` and leaves the site as it was. `progress(stage, done, total)` reports
    long work as it goes: "parse" (entries), "pages" (pages written), "search" (entries indexed).

    `check_only` (`tilbook check`): every check of a `--strict` build, nothing rendered or
    written but the caches, no notebook run (stale ones stay warnings); what --strict fails
    on comes back in `errors` instead of raised, and entries with errors are left out rather
    than stopping it (their problems are among the `warnings`, as errors). A bad
    `notebooks:` value comes back in `errors` too, and then nothing that needs the
    notebooks is checked."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = time.perf_counter() - clock
        clock = time.perf_counter()

    now = now or dt.datetime.now(config.tilbook.timezone)
    today = now.astimezone(config.tilbook.timezone).date()
    site_dir = config.site_dir
    caches = caches or CacheFiles(cache_dir(config))
    cache = caches.folder

    # gather: the content hash of every input (a file whose stat is unchanged since the last
    # build keeps its hash, see `FileHashes`); the bytes are not kept (workers read the files)
    manifest = caches.load("manifest.pkl") if use_cache else None
    hasher, paths, rels, hashes = _gather_entries(config, manifest)
    assets_found = scan_assets(config.docs_dir)
    asset_hashes = {rel: hasher.hash(p) for rel, p in assets_found.items()}
    # Notebook templates and frozen run records decide whether a notebook is stale.
    # With the address the site is built for: `build --site-url` can change it without the file.
    config_bytes, code = _config_bytes(config), _code(hasher)
    tkey = digest(theme_key(config), code)

    templates = _template_files(config)  # (listed once: the inputs and the notebook jobs' key use them)

    def digest_rest() -> str:
        """Every input but the entries' bytes (their paths are in)."""
        notebook_hashes = {str(p): hasher.hash(p) for p in _notebook_inputs(config, templates)}
        return digest(CACHE_FORMAT, __version__, config_bytes, tkey, drafts, strict, sorted(hashes),
                      sorted(asset_hashes.items()), sorted(notebook_hashes.items()), today)

    if check_only:
        execute, refresh = False, frozenset()
    rest = digest_rest()
    inputs = digest(rest, sorted(hashes.items()))
    ours = _site_is_ours(caches, site_dir)
    lap("gather")
    if (not check_only and manifest and manifest.get("inputs") == inputs and not refresh
            and not (execute and manifest.get("notebooks_pending"))
            and not (search_index and manifest.get("search_stale"))
            and (manifest.get("next_change") is None or now < manifest["next_change"])
            and _site_as_recorded(manifest, site_dir, ours)):
        if hasher.changed:  # same bytes, new stat (a touch, a checkout): remember it
            caches.save("manifest.pkl", {**manifest, "stats": hasher.record()})
        return BuildResult(site_dir, 0, len(manifest["files"]), True, tuple(manifest.get("warnings", ())), timings,
                           manifest.get("entries", 0), search_stale=bool(manifest.get("search_stale")),
                           left_out=manifest.get("left_out") or LeftOut(), pages=manifest.get("pages", 0))

    from tilbook.site.collect import collect_site, site_origin
    from tilbook.site.links import broken_links, missing_assets
    from tilbook.site.markdown import extension_warnings
    from tilbook.site.render import asset_files
    from tilbook.site.store import BodyHtml, HtmlStore
    from tilbook.site.write import Staging, folds_case

    import shutil
    import tempfile

    scratch = None if use_cache else Path(tempfile.mkdtemp(prefix="tilbook-html-"))
    if not use_cache:
        from tilbook.site.collect import forget_earlier_builds

        forget_earlier_builds()
    store = HtmlStore(cache / "html.sqlite" if use_cache else scratch / "html.sqlite")  # type: ignore[operator]
    shutil.rmtree(cache / "html", ignore_errors=True)  # the folder store of tilbook <= 0.1
    (cache / "entries.pkl").unlink(missing_ok=True)  # one file for all entries, before the shards
    try:
        parse_key = _parse_key(config, code)
        parsed_here: dict[str, Outcome] = {}
        if use_cache and manifest and not (check_only or strict or refresh):
            done = _bodies_edited(config, caches, store, manifest, hasher, {rels[p]: p for p in paths}, hashes,
                                  rest=rest, inputs=inputs, parse_key=parse_key, theme=tkey, ours=ours, now=now,
                                  execute=execute, search_index=search_index, workers=workers, cancel=cancel,
                                  progress=progress, lap=lap)
            if isinstance(done, BuildResult):
                return replace(done, timings=timings)
            parsed_here = done
        # parse: reuse entries and bodies whose bytes (and the config) are unchanged
        known = _load_entries(caches, parse_key) if use_cache else {}
        journal, bodies, parsed, parsed_count = _read_entries(config, store, paths, rels, hashes, known, parsed_here,
                                                            workers=workers, progress=progress)
        lap("parse")
        if journal.errors and not check_only:  # (check reports them itself, and looks past them)
            raise BuildError(problems=journal.errors)
        try:
            notebook_problems, pending, ran_any, frozen = _freeze_notebooks(
                config, journal.visible(now, drafts=drafts, future=drafts), execute=execute, refresh=refresh,
                strict=strict and not check_only, on_notebook=on_notebook, caches=caches if use_cache else None,
                hasher=hasher, code=code, templates=templates)
        except BuildError as exc:
            if not check_only:
                raise
            # a bad `notebooks:` value: the pages and links that need the notebooks cannot be checked
            if use_cache and _keep_what_was_read(known, parsed, parsed_count):
                _save_entries(caches, parse_key, known, parsed)
            return BuildResult(site_dir, 0, 0, False, (*config.warnings, *extension_warnings(config), *journal.problems),
                               timings, len(journal.visible(now, drafts=drafts, future=drafts)), errors=exc.problems)
        if ran_any:  # the runs wrote new records: the next build compares with those
            rest = digest_rest()
            inputs = digest(rest, sorted(hashes.items()))
        lap("notebooks")

        # collect
        loader = BodyHtml(store, origin=site_origin(config))
        notebooks = {}
        if frozen:  # (its imports cost a one-entry rebuild 0.04 s: only when an entry has notebooks)
            from tilbook.site.collect import base_path, href
            from tilbook.site.notebooks import notebook_pages

            kept = (caches.load("notebook-pages.pkl") or {}) if use_cache else {}
            notebooks = notebook_pages(config, frozen, base=base_path(config), href=href, kept=kept,
                                       salt=digest(CACHE_FORMAT, tkey, config_bytes))
            made = {page.source: page.to_keep() for page in notebooks.values()}
            if use_cache and made.keys() != kept.keys():
                caches.save("notebook-pages.pkl", made)
        site = collect_site(journal, config, bodies, now=now, drafts=drafts, build_key=digest(tkey, config_bytes),
                            body_html=loader, notebooks=notebooks, fold_case=folds_case(site_dir.parent))
        warnings = [*config.warnings, *extension_warnings(config), *journal.problems, *notebook_problems,
                    *site.problems]
        for entry in site.with_bodies:
            warnings.extend(bodies[entry.rel].notes)
        unknown = [*site.errors, *_unknown_notebook_links(site, bodies, config, set(notebooks))]
        if unknown and not check_only:
            raise BuildError(problems=unknown)
        files_key: dict[str, str] = {p.path: p.key for p in site.pages}
        missing = missing_assets(site, bodies, assets_found, config)
        problems = list(missing)
        if strict or check_only:
            # a link to an entry that does not read is that entry's error, not a broken link
            unread = {rels[p] for p in paths} - bodies.keys() if check_only else set()
            problems.extend(broken_links(site, bodies, assets_found, config, unread=unread))
        as_errors = [replace(p, severity="error") for p in problems]  # what --strict fails on
        if check_only:
            lap("collect")
            if use_cache and _keep_what_was_read(known, parsed, parsed_count):
                _save_entries(caches, parse_key, known, parsed)
            return BuildResult(site_dir, 0, 0, False, tuple(warnings), timings, len(site.entries),
                               errors=(*unknown, *as_errors), pages=len(site.page_entries))
        if strict and as_errors:
            raise BuildError(problems=as_errors)
        warnings.extend(missing)
        lap("collect")

        # render only pages whose key changed (or whose file is gone), into a staging folder
        old_files: dict[str, str] = manifest.get("files", {}) if manifest and site_dir.is_dir() else {}
        site_root = str(site_dir)
        changed = [p for p in site.pages
                   if old_files.get(p.path) != p.key or (not ours and not os.path.isfile(os.path.join(site_root, p.path)))]
        staging = Staging(site_dir, full=not old_files)
        try:
            _render_pages(changed, config, workers, staging, tkey, cache / "templates" if use_cache else None,
                          progress)
            staging.written_elsewhere(p.path for p in changed)
            for rel, data in asset_files(config, math=site.has_math).items():
                files_key[rel] = hash_bytes(data)
                if old_files.get(rel) != files_key[rel] or not (site_dir / rel).is_file():
                    staging.write(rel, data)
            for rel, data in site.files.items():  # notebook downloads and their images
                files_key[rel] = "n:" + hash_bytes(data)
                if old_files.get(rel) != files_key[rel] or not (site_dir / rel).is_file():
                    staging.write(rel, data)
            lap("render")
            search = _search_index(config, site.search, store, manifest.get("search") if manifest else None, site_dir,
                                   rebuild=search_index, cancel=cancel, progress=progress,
                                   kept=cache / BUNDLES if use_cache else None)
            search_keys = search.keys()
            for rel, data in search.files.items():
                if old_files.get(rel) != search_keys[rel] or not (site_dir / rel).is_file():
                    staging.write(rel, data)
            files_key.update(search_keys)
            for rel, source in assets_found.items():
                if rel in files_key:  # a page, theme asset or search file of the same name wins
                    continue
                files_key[rel] = "a:" + asset_hashes[rel]
                if old_files.get(rel) != files_key[rel] or not (site_dir / rel).is_file():
                    staging.write(rel, source.read_bytes())
            lap("search")
            if old_files:
                _write(lambda: staging.publish(stale=[p for p in old_files if p not in files_key]),
                       site_dir)
            else:
                _write(staging.publish, site_dir)
        except BaseException:
            staging.discard()
            raise
        _published(caches, site_dir)
        lap("write")

        future = [e.date for e in journal.entries if e.date > now]
        left_out = LeftOut.of(journal, config, now, drafts=drafts)
        if use_cache:
            _save_entries(caches, parse_key, known, parsed)
            _keep_body_pages(caches, site.body_pages, inputs=inputs, rest=rest, hashes=hashes, files=files_key)
            caches.save("manifest.pkl", {
                "inputs": inputs, "files": files_key, "next_change": min(future) if future else None,
                "warnings": tuple(warnings), "entries": len(site.entries), "pages": len(site.page_entries),
                "stats": hasher.record(),
                "left_out": left_out,
                "notebooks_pending": pending,
                "search": search.record,
                "search_stale": search.stale,
            })
            if parsed_count or known.keys() - parsed.keys():  # else the store holds what it did
                store.prune({body.key for _, _, body in parsed.values()})
            if search.stale:  # what `update_search_index` will index when the writer pauses
                caches.save("search-docs.pkl", site.search)
        lap("save")
    finally:
        store.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return BuildResult(site_dir, len(staging.files), len(files_key), False, tuple(warnings), timings,
                       len(site.entries), tuple(sorted(staging.files)), search.stale, left_out=left_out,
                       pages=len(site.page_entries))


def _config_bytes(config: Config) -> bytes:
    """The config as pages see it: its file, and the address the site is built for
    (`build --site-url` can change it without the file). Parsing sees less: `parse_settings`."""
    return config.config_path.read_bytes() + b"\0" + (config.site_url or "").encode("utf-8", "surrogatepass")


def _code(hasher: FileHashes) -> str:
    """tilbook's own code is an input too: a `git pull` in an editable install (as the
    README installs it) changes what pages say while the version string stays the same. So
    are the libraries that render them: `pip install -U pygments` changes them too."""
    return digest(code_key(hasher), library_versions())


def _parse_key(config: Config, code: str) -> str:
    """What parsed entries and rendered bodies are kept for: tilbook's code and what of the
    config parsing and rendering an entry read (`parse_settings`), not the whole file: a new
    site description, `extra` value or page size parsed every entry again (3 s of 2,000)."""
    return digest(CACHE_FORMAT, __version__, parse_settings(config), code)


def parse_settings(config: Config) -> tuple[Any, ...]:
    """Everything of the config that parsing an entry and rendering its body read: where
    entries are and how their paths are shown, the site's address (the base path of links,
    Jekyll's `site.url`), the timezone (dates), the tomorrow headings (todos), the slug and
    permalink settings, the Markdown extensions, the language (the titles of untitled
    admonitions). A setting parsing starts to read must be added here
    (tests/site/test_incremental.py changes each of the others and compares)."""
    t = config.tilbook
    return (config.display_path(config.config_path), config.display_path(config.docs_dir), config.site_url,
            t.timezone_name, t.tomorrow_headings, t.default_slug, t.permalink, t.entry_path, config.markdown_extensions,
            config.theme.language)


def _read_entries(config: Config, store: Any, paths: Sequence[str], rels: dict[str, str], hashes: dict[str, str],
                  known: Cached, parsed_here: dict[str, Outcome], *, workers: int | None,
                  progress: Progress | None) -> tuple[Journal, dict[str, RenderedBody], Cached, int]:
    """The journal, its rendered bodies by rel_path, what to keep of them (`_save_entries`)
    and how many files were parsed: an entry whose bytes are those of `known` is taken
    from it, one in `parsed_here` from there, the others are parsed and rendered now."""
    from tilbook.journal.load import assemble_journal, date_from_git
    from tilbook.site.bodies import parse_and_render

    results: list[Entry | EntryError] = []
    bodies: dict[str, RenderedBody] = {}
    to_parse: list[Path] = []
    stored_html = store.keys()
    for path in paths:
        rel = rels[path]
        hit = known.get(rel)
        if hit and hit[0] == hashes[rel] and hit[1].date_source != "mtime" and hit[2].key in stored_html:
            entry = hit[1]
            if entry.abs_path is None or (str(entry.abs_path) != path and entry.abs_path != Path(path)):
                entry = replace(entry, abs_path=Path(path))  # a workspace moved with its caches
            results.append(entry)
            bodies[rel] = hit[2]
        elif rel in parsed_here:  # by `_bodies_edited`, which found more than bodies changed
            _, outcome, body = parsed_here[rel]
            results.append(outcome)
            if body is not None:
                bodies[rel] = body
        else:
            to_parse.append(Path(path))
    for rel, outcome, body in parse_and_render(to_parse, config, store, workers, progress):
        results.append(outcome)
        if body is not None:
            bodies[rel] = body
    # Entries are kept as parsed and dated, before the journal makes their slugs unique:
    # a slug that gave way to another entry's comes back when that entry is gone.
    dated = date_from_git(config, [e for e in results if not isinstance(e, EntryError)])
    parsed = {e.rel: (hashes[e.rel], e, bodies[e.rel]) for e in dated}
    journal = assemble_journal(config, [*(e for e in results if isinstance(e, EntryError)), *dated], dated=True)
    return journal, bodies, parsed, len(to_parse)


def _keep_what_was_read(known: Cached, parsed: Cached, parsed_count: int) -> bool:
    """Whether a reading of the journal that builds no site (`check`, `todo`, `new`) keeps
    what it parsed. A few entries edited since the last build are parsed again next time
    instead: the build checks a body edit against what its own last build kept (then it
    makes one page, not the site), and these would have replaced that. A first reading, or
    one of many edits or of deleted entries, is kept."""
    return not known or parsed_count > BODIES_EDITED_MAX or bool(known.keys() - parsed.keys())


def read_journal(config: Config, *, progress: Progress | None = None) -> Journal:
    """Every entry, as a build reads them: an entry whose bytes are those the last build
    (or read) found comes from the caches, the others are parsed (and kept for the next,
    as `_keep_what_was_read` says).
    For the commands that need the entries but no site (`new`, `todo`): parsing them all
    took 1.4 s of 2,000 entries. Raises `ConfigError` when docs_dir does not exist."""
    from tilbook.site.store import HtmlStore

    paths = entry_files(config)  # (first: a missing docs_dir is an error, before anything is made)
    caches = CacheFiles(cache_dir(config))
    try:
        caches.folder.mkdir(parents=True, exist_ok=True)
        writable = os.access(caches.folder, os.W_OK)
    except OSError:
        writable = False
    if not writable:  # a workspace this user may only read (`todo` there): every entry is parsed
        from tilbook.journal.load import load_journal

        return load_journal(config, progress=(lambda done, total: progress("parse", done, total)) if progress else None)
    hasher, paths, rels, hashes = _gather_entries(config, caches.load("manifest.pkl"), paths)
    parse_key = _parse_key(config, _code(hasher))
    store = HtmlStore(caches.folder / "html.sqlite")
    try:
        known = _load_entries(caches, parse_key)
        journal, _, parsed, parsed_count = _read_entries(config, store, paths, rels, hashes, known, {}, workers=None,
                                                         progress=progress)
        if _keep_what_was_read(known, parsed, parsed_count):
            _save_entries(caches, parse_key, known, parsed)
    finally:
        store.close()
    return journal


# --- a build for edits to bodies alone ----------------------------------------------------------

BODIES_EDITED = "bodies-edited.pkl"
BODIES_EDITED_MAX = 8
"""Edited entries `_bodies_edited` takes on; a build with more goes the whole way."""
# What each entry's page shows besides its body, in shards as the entries are (loading
# all of it took 9 ms of a 0.2 s rebuild at 2,000 entries, saving it as long)
_PAGE_SHARD_NAMES = tuple(f"entry-pages-{i:02d}.pkl" for i in range(ENTRY_SHARDS))


def _page_shard(rel: str) -> str:
    return _PAGE_SHARD_NAMES[_shard_number(rel)]


def _keep_body_pages(caches: CacheFiles, pages: Any, *, inputs: str, rest: str, hashes: dict[str, str],
                     files: dict[str, str]) -> None:
    """Keep what `_bodies_edited` starts from: `pages` (a `collect.BodyPages`) for the build
    with these inputs. A shard of entry pages is written when what it holds changed: a
    page's inputs are in its key, so a shard is the last one while its pages' keys are."""
    from tilbook.site.collect import output_file

    last = caches.load(BODIES_EDITED) or {}
    shards: dict[str, dict[str, Any]] = {}
    for rel in hashes:
        shards.setdefault(_page_shard(rel), {})[rel] = pages.entry_pages.get(rel)  # None: no page (a draft)
    stamps = {}
    for name, items in shards.items():
        stamps[name] = hash_bytes("\n".join(f"{rel}\t{files.get(output_file(shown.url_path)) if shown else ''}"
                                             for rel, shown in sorted(items.items())).encode("utf-8", "surrogatepass"))
        if last.get("stamps", {}).get(name) != stamps[name] or not caches.has(name):
            caches.save(name, items)
    for name in last.get("stamps", {}).keys() - stamps.keys():
        caches.drop(name)
    caches.save(BODIES_EDITED, {"inputs": inputs, "rest": rest, "stamps": stamps,
                                "pages": replace(pages, entry_pages={})})


def _bodies_edited(config: Config, caches: CacheFiles, store: Any, manifest: dict[str, Any], hasher: FileHashes,
                   paths: dict[str, Path], hashes: dict[str, str], *, rest: str, inputs: str, parse_key: str,
                   theme: str, ours: bool, now: dt.datetime, execute: bool, search_index: bool, workers: int | None,
                   cancel: Any, progress: Progress | None, lap: Callable[[str], None]) -> BuildResult | dict[str, Outcome]:
    """The build after edits that changed nothing but bodies (as a writer adds to an entry):
    only the edited entries are parsed and only their pages and the feed are made again,
    from what the last build kept of the rest (`collect.BodyPages`); every other file of the
    site is the last build's, as a whole build would find. Otherwise (anything else changed,
    or an edit shows on other pages: a new title, tags, excerpt, reading time, todo...) it
    gives back what it parsed, by rel_path, for the whole build to use.

    A whole build reads every entry's cache and collects every page: at 2,000 entries that
    is most of a one-entry rebuild in a fresh process, and none of it depends on a body."""
    from tilbook.site.collect import pages_for_bodies, same_but_page, site_origin

    kept = caches.load(BODIES_EDITED)
    next_change = manifest.get("next_change")
    if (not kept or kept.get("inputs") != manifest["inputs"] or kept["rest"] != rest or kept["pages"] is None
            or (execute and manifest.get("notebooks_pending")) or (next_change is not None and now >= next_change)):
        return {}
    edited = [rel for rel, h in hashes.items() if hasher.last(paths[rel]) != h]  # (the manifest's record)
    site_dir = config.site_dir
    if (not edited or len(edited) > BODIES_EDITED_MAX
            or not _site_as_recorded(manifest, site_dir, ours)):
        return {}
    shards: dict[str, dict[str, Any]] = {}  # each loaded once
    page_shards: dict[str, dict[str, Any]] = {}
    shown: dict[str, Any] = {}
    for rel in edited:
        name = _shard(rel)
        shard = shards[name] = shards.get(name) or caches.load(name)
        if not shard or shard.get("key") != parse_key or rel not in shard["items"]:
            return {}
        name = _page_shard(rel)
        page_shard = page_shards[name] = page_shards.get(name) or caches.load(name)
        if not page_shard or rel not in page_shard:
            return {}
        if page_shard[rel] is not None:
            shown[rel] = page_shard[rel]
    kept_pages = replace(kept["pages"], entry_pages=shown)

    from tilbook.site.bodies import parse_and_render
    from tilbook.site.store import BodyHtml

    parsed = {outcome[0]: outcome for outcome in parse_and_render([Path(paths[rel]) for rel in edited], config, store,
                                                                  workers, None)}
    undated = [entry for _, entry, _ in parsed.values() if not isinstance(entry, EntryError) and entry.date_source == "mtime"]
    if undated:  # dated by their first commit, as the whole build dates them (a file git does not know stays undated)
        from tilbook.journal.load import date_from_git

        for entry in date_from_git(config, undated):
            parsed[entry.rel] = (entry.rel, entry, parsed[entry.rel][2])
    edits: dict[str, tuple[Entry, RenderedBody]] = {}
    for rel in edited:
        _, entry, body = parsed.get(rel, (rel, None, None))
        _, was, was_body = shards[_shard(rel)]["items"][rel]
        if (body is None or isinstance(entry, EntryError) or entry.date_source == "mtime" or entry != was
                or entry.is_page):  # (a page's is not among the pages `BodyPages` keeps)
            return parsed
        if not same_but_page(body, was_body):
            return parsed
        edits[rel] = (entry, body)
    # What the last build kept must be what made its pages (else: the whole way)
    before, _ = pages_for_bodies(kept_pages, config, {rel: shards[_shard(rel)]["items"][rel][1:] for rel in edits})
    if any(manifest["files"].get(page.path) != page.key for page in before):
        return parsed
    pages, body_pages = pages_for_bodies(kept_pages, config, edits, body_html=BodyHtml(store, origin=site_origin(config)))
    needed = {body.key for _, body in edits.values()}  # (their own pages, and the feed's items when it is remade)
    if any(page.template == "feed.xml" for page in pages):
        needed.update(item.body.key for item in body_pages.feed)
    if store.missing(needed):
        return parsed
    lap("parse")
    lap("collect")

    from tilbook.site.write import Staging

    files = dict(manifest["files"])
    staging = Staging(site_dir, full=False)
    try:
        _render_pages(pages, config, workers, staging, theme, caches.folder / "templates", progress)
        staging.written_elsewhere(page.path for page in pages)
        files.update((page.path, page.key) for page in pages)
        lap("render")
        search = _search_index(config, tuple(body_pages.search.values()), store, manifest.get("search"), site_dir,
                               rebuild=search_index, cancel=cancel, progress=progress, kept=caches.folder / BUNDLES)
        was_search, search_keys = _SearchFiles(manifest.get("search") or {}, {}).keys(), search.keys()
        for rel in was_search.keys() - search_keys.keys():
            files.pop(rel, None)
        for rel, data in search.files.items():
            if files.get(rel) != search_keys[rel] or not (site_dir / rel).is_file():
                staging.write(rel, data)
        files.update(search_keys)
        lap("search")
        _write(lambda: staging.publish(stale=[rel for rel in was_search if rel not in files]), site_dir)
    except BaseException:
        staging.discard()
        raise
    _published(caches, site_dir)
    lap("write")

    for name in {_shard(rel) for rel in edits}:
        items = dict(shards[name]["items"])
        items.update((rel, (hashes[rel], *edit)) for rel, edit in edits.items() if _shard(rel) == name)
        caches.save(name, {"key": parse_key, "items": items})
    caches.save("manifest.pkl", {**manifest, "inputs": inputs, "files": files, "stats": hasher.record(),
                                 "search": search.record, "search_stale": search.stale})
    caches.save(BODIES_EDITED, {**kept, "inputs": inputs, "pages": replace(body_pages, entry_pages={})})
    if search.stale:
        caches.save("search-docs.pkl", tuple(body_pages.search.values()))
    lap("save")
    return BuildResult(site_dir, len(staging.files), len(files), False, tuple(manifest.get("warnings", ())), {},
                       manifest.get("entries", 0), tuple(sorted(staging.files)), search.stale,
                       left_out=manifest.get("left_out") or LeftOut(), pages=manifest.get("pages", 0))


@dataclass(frozen=True)
class _SearchFiles:
    record: dict[str, Any]
    """For the manifest: {"shards": {name: {"key", "files": {path: file key}}}, "list": {path: key}}."""
    files: dict[str, bytes]
    """Built anew: path → bytes (the rest of the record's files are in site/ already)."""
    stale: bool = False

    def keys(self) -> dict[str, str]:
        """Every search file → its key in the manifest."""
        found = dict(self.record.get("list", {}))
        for shard in self.record.get("shards", {}).values():
            found.update(shard["files"])
        return found


def _search_index(config: Config, docs: tuple[Any, ...], store: Any, last: dict[str, Any] | None,
                  site_dir: Path, *, rebuild: bool = True, cancel: Any = None,
                  progress: Progress | None = None, kept: Path | None = None) -> _SearchFiles:
    """The Pagefind bundles for `docs`, one per shard: a shard whose documents are what the
    last build indexed is kept (Pagefind takes seconds per thousand entries), one that was
    indexed before is taken from the bundles kept in the folder `kept` (see `_KeptBundles`),
    the others are built anew, in parallel. Without `rebuild`, the last index is kept even
    when behind (`stale`; its record stays the old one, so the next indexing sees what
    changed), unless every shard it lacks was kept."""
    if not docs:
        return _SearchFiles({}, {})
    from tilbook.site.search import (FOLDER, LIST_FILE, build_shards, pagefind_binary, pagefind_version, shard_docs,
                                     shard_key, shard_list)

    language = config.theme.language
    groups = shard_docs(docs)
    keys = {name: shard_key(name, group, language) for name, group in groups.items()}
    binary = pagefind_binary()
    prior = (last or {}).get("shards") or {}
    prior_tool = (last or {}).get("tool")
    tool = pagefind_version(binary) if binary else prior_tool
    # Shards another Pagefind indexed are all made again: bundles of two do not merge.
    last_shards = prior if prior_tool in (None, tool) else {}
    bundles = _KeptBundles(kept, tool) if kept is not None and tool is not None else None

    def behind(shards: dict[str, Any]) -> _SearchFiles:
        """The last index, kept while behind: its record (and Pagefind) as they were."""
        return _SearchFiles({"shards": shards, "list": (last or {}).get("list", {}), "tool": prior_tool}
                            if shards else {}, {}, True)

    todo = {name: group for name, group in groups.items() if last_shards.get(name, {}).get("key") != keys[name]}
    found = {name: files for name in todo if bundles and (files := bundles.get(keys[name])) is not None}
    if todo.keys() - found.keys() and not rebuild:  # behind, and staying so for now: the last index stays as it is
        return behind(dict(prior))
    # A shard is kept when it indexed these documents and its files are all still there
    # (thousands of files: looked at only when the index may be built).
    old = {name: shard for name, shard in last_shards.items()
           if all(os.path.isfile(os.path.join(site_dir, rel)) for rel in shard["files"])}
    todo.update({name: group for name, group in groups.items() if name not in old})
    found.update({name: files for name in todo.keys() - found.keys()
                  if bundles and (files := bundles.get(keys[name])) is not None})
    listing = shard_list(groups)
    listed = {LIST_FILE: "s:" + hash_bytes(listing)}
    if not todo and (last or {}).get("list") == listed and prior_tool == tool:
        return _SearchFiles(dict(last), {})  # type: ignore[arg-type]
    if todo.keys() - found.keys() and not rebuild:
        return behind({name: shard for name, shard in prior.items() if name in old})
    missing = {name: group for name, group in todo.items() if name not in found}
    built = build_shards(missing, store.get, language, cancel=cancel,
                         on_shard=(lambda name, files: bundles.put(keys[name], files)) if bundles else None,
                         progress=(lambda done, total: progress("search", done, total)) if progress else None
                         ) if missing else {}
    for files in found.values():
        built.update(files)
    shards = {}
    for name in groups:
        if name in todo:
            prefix = f"{FOLDER}/{name}/"
            shards[name] = {"key": keys[name],
                            "files": {rel: "s:" + hash_bytes(data) for rel, data in built.items() if rel.startswith(prefix)}}
        else:
            shards[name] = old[name]
    if bundles:
        bundles.keep_only({keys[name] for name in groups})
    built[LIST_FILE] = listing
    return _SearchFiles({"shards": shards, "list": listed, "tool": tool}, built)


class _KeptBundles:
    """Pagefind bundles as they were built, one pickle per shard in `folder`, named by the
    shard's key and the Pagefind that built it: a shard is never indexed twice for the same
    documents. That is what a build finds there after `site/` was deleted; what a first
    `serve` finds (its cache starts from build's, `seed_cache`: only shards with drafts are
    indexed); and what `serve` finds when a new change stopped its indexing halfway (each
    shard is kept as it is done). Only the shards of the last index stay."""

    def __init__(self, folder: Path, tool: str) -> None:
        self.folder, self.tool = folder, tool

    def _path(self, key: str) -> Path:
        return self.folder / f"{digest(key, self.tool)}.pkl"

    def get(self, key: str) -> dict[str, bytes] | None:
        files = _load_pickle(self._path(key))
        return files if isinstance(files, dict) else None

    def put(self, key: str, files: dict[str, bytes]) -> None:
        try:
            _save_pickle(self._path(key), files)
        except OSError:
            pass  # a cache: not keeping it costs time only

    def keep_only(self, keys: set[str]) -> None:
        wanted = {self._path(key).name for key in keys}
        for path in self.folder.glob("*.pkl") if self.folder.is_dir() else ():
            if path.name not in wanted:
                path.unlink(missing_ok=True)


def update_search_index(config: Config, *, caches: CacheFiles | None = None, cancel: Any = None) -> bool:
    """Bring the search index of the last build up to date, when that build left it
    behind (`build_site(search_index=False)`, as `serve` does while the writer types).
    Pagefind runs on what that build published: nothing else is parsed or rendered.
    Returns whether the index changed; raises `BuildCancelled` when `cancel` is set
    meanwhile (the site keeps the index it had)."""
    from tilbook.site.store import HtmlStore
    from tilbook.site.write import Staging

    caches = caches or CacheFiles(cache_dir(config))
    manifest = caches.load("manifest.pkl")
    docs = caches.load("search-docs.pkl")
    if not manifest or not manifest.get("search_stale") or docs is None:
        return False
    site_dir = config.site_dir
    store = HtmlStore(caches.folder / "html.sqlite")
    try:
        search = _search_index(config, docs, store, manifest.get("search"), site_dir, cancel=cancel,
                               kept=caches.folder / BUNDLES)
    finally:
        store.close()
    old = _SearchFiles(manifest.get("search") or {}, {}).keys()
    files = {rel: key for rel, key in manifest["files"].items() if rel not in old}
    files.update(search.keys())
    staging = Staging(site_dir, full=False)
    try:
        for rel, data in search.files.items():
            staging.write(rel, data)
        _write(lambda: staging.publish(stale=[rel for rel in old if rel not in files]), site_dir)
    except BaseException:
        staging.discard()
        raise
    caches.save("manifest.pkl", {**manifest, "files": files, "search_stale": False, "search": search.record})
    caches.drop("search-docs.pkl")
    return True


def _site_is_ours(caches: CacheFiles, site_dir: Path) -> bool:
    """Whether this warm process (`serve`, in its own folder) published `site_dir` last and
    it is still that folder: then the files its manifest lists are taken to be there. Any
    other build looks at each of them (a page deleted by hand comes back), which for 2,000
    entries cost 19 ms of a 0.2 s one-entry rebuild."""
    known = caches.published.get(str(site_dir)) if caches.keep else None
    if known is None:
        return False
    try:
        st = os.stat(site_dir)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == known


def _site_as_recorded(manifest: dict[str, Any], site_dir: Path, ours: bool) -> bool:
    """Whether every file the last build's manifest lists is in `site_dir` (taken as read
    when `ours`, see `_site_is_ours`): a page deleted by hand makes a whole build."""
    return ours or all(os.path.isfile(os.path.join(site_dir, path)) for path in manifest["files"])


def _published(caches: CacheFiles, site_dir: Path) -> None:
    if caches.keep:
        st = os.stat(site_dir)
        caches.published[str(site_dir)] = (st.st_dev, st.st_ino)


def _unknown_notebook_links(site: Any, bodies: Any, config: Config, known: set[str]) -> list[Problem]:
    """`nb:NAME` links to notebooks no entry names in its front matter, at their lines."""
    from tilbook.journal.model import entry_file

    problems = []
    for entry in site.with_bodies:
        for target in bodies[entry.rel].links:
            if not target.startswith("nb:") or target[3:] in known:
                continue
            line = None
            if entry.abs_path is not None:
                text = entry.abs_path.read_text(encoding="utf-8", errors="replace")
                at = text.find(f"({target}")
                line = text.count("\n", 0, at) + 1 if at >= 0 else None
            problems.append(Problem(
                f"links to notebook {target[3:]!r}, which no entry's front matter names",
                path=entry_file(config, entry), line=line,
                hint="name it in the front matter (notebooks: [" + target[3:] + "]) or fix the link; known: "
                     + (", ".join(sorted(known)) or "none")))
    return problems


def _template_files(config: Config) -> list[Path]:
    """Every file of the notebook templates."""
    templates = config.tilbook.notebooks_dir
    if templates is None or not templates.is_dir():
        return []
    return [p for p in sorted(templates.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]


def _notebook_inputs(config: Config, templates: Sequence[Path]) -> list[Path]:
    """Template files (`_template_files`) and frozen run records: few files, read only when
    they changed."""
    found = list(templates)
    store = config.tilbook.freeze_dir
    if store is not None and store.is_dir():
        found.extend(sorted(store.glob("*/run.json")))
    return found


def _templates_key(config: Config, hasher: FileHashes, templates: Sequence[Path]) -> str:
    """A hash of the notebook templates' files, `_template_files` (through `hasher`: read
    only when a stat changed)."""
    top = len(str(config.tilbook.notebooks_dir)) + 1
    return digest(tuple((str(p)[top:], hasher.hash(p)) for p in templates))


def _freeze_notebooks(config: Config, entries: Any, *, execute: bool, refresh: frozenset[str], strict: bool,
                      on_notebook: Callable[[Any], None] | None, caches: CacheFiles | None = None,
                      hasher: FileHashes | None = None, code: str = "",
                      templates: Sequence[Path]) -> tuple[list[Problem], tuple[str, ...], bool, list[Any]]:
    """Bring the notebooks `entries` name up to date in the freeze store. Returns warnings
    (stale or never-run notebooks, when not executing) and the names still pending; raises
    `BuildError` for a bad `notebooks:` value, a failed run, or (strict) a pending one.
    The third value says whether any notebook ran (its record changed); the fourth is
    every notebook's `FrozenNotebook`.

    With `caches`, each job (its freeze key above all) is kept from the last build whose
    `code` (tilbook's and its libraries'), templates' files (`templates`, as
    `_template_files` lists them) and settings were the same: making it again means
    generating the notebook, and importing jupytext and nbformat for that was
    most of a one-entry rebuild of a journal with notebooks (1.0 of 1.3 s for the example)."""
    if not any(entry.notebooks for entry in entries):
        return [], (), False, []
    from tilbook.errors import TilbookError
    from tilbook.notebooks.freeze import collect_jobs, refresh_frozen, store_folder, template_job

    kept: dict[str, Any] = (caches.load("notebook-jobs.pkl") or {}) if caches else {}
    used: dict[str, Any] = {}
    salt = digest(CACHE_FORMAT, code, _templates_key(config, hasher or FileHashes(None), templates),
                  config.theme.language, store_folder(config)) if caches else ""

    def make_job(config: Config, template: str, **settings: Any) -> Any:
        key = digest(salt, template, sorted(settings["params"].items()),
                     sorted((k, v) for k, v in settings.items() if k != "params"))
        job = kept.get(key)
        if job is None:
            job = template_job(config, template, **settings)
        used[key] = replace(job, notebook=None)
        return job

    try:
        jobs = collect_jobs(config, entries, config.tilbook.kernel, make_job=make_job if caches else None)
    except TilbookError as exc:
        raise BuildError(problems=exc.problems) from exc
    if caches and used.keys() != kept.keys():
        caches.save("notebook-jobs.pkl", used)
    unknown = sorted(refresh - {job.name for job in jobs})
    if unknown:
        raise BuildError(f"--refresh names {', '.join(map(repr, unknown))}, which no entry uses",
                         hint="notebook names: " + (", ".join(job.name for job in jobs) or "none"))
    with resumed_gc():  # kernels may run for minutes, with asyncio's cycles
        states = refresh_frozen(config, jobs, execute=execute, refresh=refresh, on_start=on_notebook)
    problems, errors = [], []
    for frozen in states:
        job, where = frozen.job, frozen.job.entries[0]
        if frozen.state == "failed":
            errors.append(Problem(f"notebook {job.name!r} failed; its partial run is in "
                                  f"{config.display_path(job.folder / (job.name + '.ipynb'))}", path=where,
                                  key="notebooks", context="front matter",
                                  hint=f"see the error banner there, or run `tilbook notebook run {job.template}`; "
                                       "`tilbook build --no-execute` publishes the last good results"))
        elif frozen.state in ("stale", "missing"):
            ran = (frozen.record or {}).get("started", "")[:10]
            problems.append(Problem(
                f"notebook {job.name!r} " + (f"is stale: its code or parameters changed since it ran on {ran}; the "
                                             "site shows those older results" if frozen.state == "stale" else
                                             "has never run; the site has no results for it"),
                path=where, key="notebooks", context="front matter", severity="error" if strict else "warning",
                hint="build without --no-execute, or run `tilbook notebook run` on a machine with the kernel"))
    if errors or (strict and problems):
        raise BuildError(problems=[*errors, *(problems if strict else [])])
    return (problems, tuple(f.job.name for f in states if f.state in ("stale", "missing")),
            any(f.state in ("ran", "failed") for f in states), states)


# The libraries whose work is in the site or decides it (a new Pygments colours code
# otherwise, a new jupytext may split a template's cells otherwise): module → distribution.
_LIBRARIES = {"markdown_it": "markdown_it_py", "mdit_py_plugins": "mdit_py_plugins", "pygments": "pygments",
              "jinja2": "jinja2", "jupytext": "jupytext", "nbformat": "nbformat"}


@lru_cache(maxsize=1)
def library_versions() -> tuple[str, ...]:
    """The installed versions of `_LIBRARIES`, as the `NAME-VERSION.dist-info` folders
    beside them say (none is imported, nor `importlib.metadata`, 10 ms to import; 0.9 ms
    here). A library installed without one (from a source tree) adds nothing."""
    from importlib.util import find_spec

    found: list[str] = []
    listed: dict[str, list[str]] = {}
    for module, dist in _LIBRARIES.items():
        spec = find_spec(module)
        if spec is None or not spec.origin:
            continue
        folder = os.path.dirname(os.path.dirname(spec.origin))
        if folder not in listed:
            try:
                listed[folder] = os.listdir(folder)
            except OSError:
                listed[folder] = []
        found.extend(sorted(n for n in listed[folder] if n.lower().startswith(dist + "-") and n.endswith(".dist-info")))
    return tuple(found)


def _gather_entries(config: Config, manifest: dict[str, Any] | None, paths: list[str] | None = None
                    ) -> tuple[FileHashes, list[str], dict[str, str], dict[str, str]]:
    """The entry files (`paths`, when listed already), each one's rel_path and content hash
    (as rel_path → hash), and the hasher that made them, which knows the stats the last
    build recorded in `manifest` (see `FileHashes`)."""
    hasher = FileHashes(manifest.get("stats") if manifest else None)
    paths = entry_files(config) if paths is None else paths
    rels = {p: _rel(p, config.docs_dir) for p in paths}
    return hasher, paths, rels, {rels[p]: hasher.hash(p) for p in paths}


def _rel(path: Path | str, docs: Path) -> str:
    """`path` relative to docs_dir, '/'-separated and NFC like `Entry.rel_path` (string work:
    pathlib is slow for thousands)."""
    rel = str(path)[len(str(docs)) + 1 :].replace(os.sep, "/")
    return rel if rel.isascii() else unicodedata.normalize("NFC", rel)


def _hash_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hash_bytes(fh.read())


# A recorded stat is trusted only if the file was last changed this long before the hashing
# that recorded it: a write in the same timestamp tick as that hashing could otherwise keep
# its size and mtime and go unseen (git's "racily clean" entries; 2 s covers FAT and SMB).
RACY_NS = 2_000_000_000


class FileHashes:
    """Content hashes of input files, re-reading only files whose stat changed.

    The cache key stays the content hash (STYLE.md: never key by mtimes): the stat only
    says whether the hash recorded last time still describes the bytes. It compares size,
    mtime, ctime and inode; ctime cannot be set back by `touch -d` or a tool that restores
    mtimes, so a rewrite is seen even when the mtime is made to lie."""

    def __init__(self, previous: dict[str, tuple[tuple[int, int, int, int], str, int]] | None) -> None:
        self._previous = previous or {}
        self._now: dict[str, tuple[tuple[int, int, int, int], str, int]] = {}
        self.changed = False

    def hash(self, path: Path | str) -> str:
        key = str(path)
        old = self._previous.get(key)
        st = os.stat(key)
        sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if old is not None and old[0] == sig and max(sig[1], sig[2]) < old[2] - RACY_NS:
            self._now[key] = old
            return old[1]
        started = time.time_ns()  # before the read: a write after it is newer than this
        value = _hash_file(path)
        self._now[key] = (sig, value, started)
        self.changed = True
        return value

    def last(self, path: Path | str) -> str | None:
        """The hash the last build recorded for `path` (None: it hashed no such file)."""
        old = self._previous.get(str(path))
        return None if old is None else old[1]

    def record(self) -> dict[str, tuple[tuple[int, int, int, int], str, int]]:
        """What the next build compares with: every file hashed or confirmed by this one."""
        if set(self._now) != set(self._previous):
            self.changed = True
        return self._now


PACKAGE = Path(__file__).resolve().parent.parent


def code_key(hasher: FileHashes, root: Path = PACKAGE) -> str:
    """Hash of the Python files of the package at `root` (tilbook's own), through `hasher`:
    their stats are checked each build, their bytes read only when a stat changed."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith(".py"))
    top = len(str(root)) + 1
    return digest(tuple((path[top:], hasher.hash(path)) for path in found))


def _write(action: Callable[[], None], site_dir: Path) -> None:
    try:
        action()
    except OSError as exc:
        raise BuildError(f"cannot write the site: {exc.strerror}: {exc.filename}", path=str(site_dir),
                         hint="check the disk space and permissions, then build again") from exc


