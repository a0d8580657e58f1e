"""`tilbook serve`: build, serve, watch, rebuild, reload the open pages.

    watcher   watchfiles over the workspace (entries, mkdocs.yml, theme, templates, the
              freeze store); a burst of changes is one rebuild
    builder   one thread runs every build, in this warm process: an edit re-renders its
              entry and the pages that show it, with drafts (badged) and without running
              notebooks; the search index is rebuilt when the writer pauses, and a new
              change stops that indexing at once
    server    the built site over HTTP on 127.0.0.1, under the site's base path; HTML pages
              get a small script (only here, never in site/) that listens on
              /__tilbook/events (server-sent events): it reloads on a new build and shows
              a build error as an overlay, which the next good build clears

The preview is built into `.tilbook/serve/site` with its own cache, so `serve` and
`build` never undo each other's work and `site/` is never touched by a preview. A first
`serve` starts that cache from the entries and bodies `build` parsed (`build.seed_cache`).
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import mimetypes
import posixpath
import socketserver
import threading
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from tilbook.config.model import Config
from tilbook.errors import TilbookError, UsageError, shown_warnings
from tilbook.site.search import FOLDER as SEARCH_FOLDER

LIVE_PATH = "/__tilbook/"
SEARCH_PAUSE = 1.5
"""Seconds without a change before the search index catches up."""

LIVE_JS = """(() => {
  "use strict";
  let overlay = null;
  const show = (text) => {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "tilbook-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,24,.94);color:#ffd7d7;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;" +
        "white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = text;
  };
  let version = null;
  const events = new EventSource("/__tilbook/events");
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    const heading = (document.documentElement.lang || "").startsWith("ko")
      ? "tilbook: 빌드에 실패했습니다 (페이지는 마지막으로 성공한 빌드입니다)"
      : "tilbook: the build failed (the page shows the last good build)";
    if (state.error) { show(heading + "\\n\\n" + state.error); return; }
    if (version !== null && state.version !== version) { location.reload(); return; }
    version = state.version;
    if (overlay) { overlay.remove(); overlay = null; }
  });
})();
"""


@dataclasses.dataclass
class ServeState:
    """What the open pages are told: the build's number, or the error that stopped it."""

    version: int = 0
    error: str | None = None
    changed: threading.Condition = dataclasses.field(default_factory=threading.Condition)
    stopping: bool = False

    def publish(self, *, error: str | None = None) -> None:
        with self.changed:
            if error is None:
                self.version += 1
            self.error = error
            self.changed.notify_all()

    def snapshot(self) -> dict[str, Any]:
        return {"version": self.version, "error": self.error}


def preview_config(config: Config) -> Config:
    return dataclasses.replace(config, site_dir=config.root / ".tilbook" / "serve" / "site")


def watched_folders(config: Config) -> list[Path]:
    """Folders watched with all below them (mkdocs.yml is watched on its own: the
    workspace's root also holds virtual environments and build output)."""
    found = [config.docs_dir]
    for folder in (config.theme.custom_dir, config.tilbook.templates_dir, config.tilbook.notebooks_dir,
                   config.tilbook.freeze_dir):
        if folder is not None and folder.is_dir():
            found.append(folder)
    return [p for p in dict.fromkeys(found) if p.is_dir()]


class Builder:
    """Runs every build on one thread; `request()` asks for a rebuild (a burst is one)."""

    def __init__(self, config_path: Path, state: ServeState, report: Callable[[str, str], None],
                 load: Callable[[Path], Config]) -> None:
        self.config_path, self.state, self.report, self.load = config_path, state, report, load
        self.wanted = threading.Event()
        self.cancel = threading.Event()  # stops a search indexing when a change comes in
        self.stop = threading.Event()
        self.config: Config | None = None
        self.search_behind = False
        self.last_change = 0.0
        self.caches: Any = None
        self.untidy = False
        self.warned: set[str] = set()  # the last build's warnings, as shown
        self.thread = threading.Thread(target=self._loop, name="tilbook-builder", daemon=True)

    def start(self) -> None:
        self.wanted.set()
        self.thread.start()

    def request(self) -> None:
        self.last_change = time.monotonic()
        self.cancel.set()
        self.wanted.set()

    def close(self) -> None:
        from tilbook.parallel import stop_worker_pools

        self.stop.set()
        self.cancel.set()
        self.wanted.set()
        stop_worker_pools()  # a build in progress stops now: its failure is not reported
        self.thread.join(timeout=30)
        if self.caches is not None and not self.thread.is_alive():
            self.caches.flush()

    def _loop(self) -> None:
        while not self.stop.is_set():
            pause = None
            if self.search_behind or self.untidy:
                pause = max(0.0, SEARCH_PAUSE - (time.monotonic() - self.last_change))
            if not self.wanted.wait(timeout=pause):  # the writer paused
                if self.untidy:
                    self._tidy()
                if self.search_behind and not self.wanted.is_set():
                    self._index()  # the search index catches up
                continue
            if self.stop.is_set():
                return
            self.wanted.clear()
            self.cancel.clear()
            self._build()

    def _index(self) -> None:
        from tilbook.site.build import update_search_index
        from tilbook.site.search import BuildCancelled

        started = time.perf_counter()
        try:
            if self.config is not None and update_search_index(self.config, caches=self.caches, cancel=self.cancel):
                self.report("note", f"search index updated in {time.perf_counter() - started:.2f}s")
            self.search_behind = False
        except BuildCancelled:
            pass  # a newer change is waiting; the index catches up after it
        except TilbookError as exc:
            self.search_behind = False  # said once; the next change tries again
            self.report("warning", "\n".join(p.format() for p in exc.problems))

    def _tidy(self) -> None:
        """Save the caches (the next `serve` starts warm) and collect garbage, then freeze
        what is left out of the collector's sight: the journal held between builds is large,
        and full collections of it during a rebuild cost a tenth of a second each."""
        import gc

        self.untidy = False
        if self.caches is not None:
            self.caches.flush()
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def _caches(self, config: Config) -> Any:
        from tilbook.site.build import CacheFiles, cache_dir, seed_cache

        folder = config.root / ".tilbook" / "serve" / "cache"
        if self.caches is None or self.caches.folder != folder:
            seed_cache(folder, cache_dir(config))  # a first preview starts from what `build` parsed
            self.caches = CacheFiles(folder, keep=True)
        return self.caches

    def _build(self) -> None:
        from tilbook.site.build import build_site

        started = time.perf_counter()
        try:
            self.config = preview_config(self.load(self.config_path))
            result = build_site(self.config, drafts=True, execute=False, search_index=False, cancel=self.cancel,
                                caches=self._caches(self.config))
        except Exception as exc:  # the journal's errors, or a bug: either way show it and keep serving
            if self.stop.is_set():  # stopped by `close` (Ctrl-C) while building
                return
            if isinstance(exc, TilbookError):
                text = "\n".join(p.format() for p in exc.problems)
            else:
                import traceback

                text = "".join(traceback.format_exception(exc))
            self.report("error", text)
            self.state.publish(error=text)
            return
        self.search_behind = result.search_stale
        self.untidy = True
        elapsed = time.perf_counter() - started
        # The warnings this build has and the last one did not (all of them the first time): a
        # journal with 200 of them printed 400 lines at every save.
        texts = [warning.format() for warning in result.warnings]
        shown, more = shown_warnings([text for text in texts if text not in self.warned])
        for text in shown:
            self.report("warning", text)
        if more:
            self.report("note", more)
        self.warned = set(texts)
        if not result.noop:
            self.report("note", f"rebuilt: {result.written} files in {elapsed:.2f}s ({result.entries} entries)")
        elif self.state.error is not None:
            self.report("note", "the build works again (the site is as it was before the error)")
        pages = any(not path.startswith(SEARCH_FOLDER + "/") for path in result.changed)
        if pages or self.state.error is not None or self.state.version == 0:
            self.state.publish()  # open pages reload (not for a new search index: nothing shown changed)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_handler(state: ServeState, builder: Builder, base: str) -> type[http.server.BaseHTTPRequestHandler]:
    """Serves the preview's files under `base` (the site's path, e.g. /til), the live
    script and the event stream."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # the terminal shows builds, not requests
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = unquote(urlsplit(self.path).path)
            if path == LIVE_PATH + "live.js":
                return self._send(200, LIVE_JS.encode(), "text/javascript; charset=utf-8")
            if path == LIVE_PATH + "events":
                return self._events()
            if base and not (path == base or path.startswith(base + "/")):
                if path == "/":
                    return self._redirect(base + "/")
                return self._not_found()
            rel = path[len(base):] if base else path
            if rel == "":
                return self._redirect(base + "/")
            self._file(rel)

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET()

        def _file(self, rel: str) -> None:
            site = builder.config.site_dir if builder.config else None
            if site is None:
                return self._not_found()
            clean = posixpath.normpath(rel)
            if ".." in clean.split("/"):
                return self._not_found()
            target = site / clean.lstrip("/")
            if target.is_dir():
                if not rel.endswith("/"):
                    return self._redirect((base + rel + "/"))
                target = target / "index.html"
            if not target.is_file():
                return self._not_found()
            data = target.read_bytes()
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if target.suffix == ".html":
                data = inject(data)
                kind = "text/html; charset=utf-8"
            elif kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            self._send(200, data, kind)

        def _not_found(self) -> None:
            site = builder.config.site_dir if builder.config else None
            page = site / "404.html" if site else None
            if page is not None and page.is_file():
                return self._send(404, inject(page.read_bytes()), "text/html; charset=utf-8")
            self._send(404, b"not found", "text/plain; charset=utf-8")

        def _redirect(self, where: str) -> None:
            self.send_response(302)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, code: int, data: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "keep-alive")
            self.end_headers()
            seen: dict[str, Any] | None = None
            try:
                self.wfile.write(b"retry: 500\n\n")
                while not state.stopping:
                    with state.changed:
                        now = state.snapshot()
                        if now == seen:
                            state.changed.wait(timeout=15)
                            now = state.snapshot()
                    if now != seen:
                        self.wfile.write(f"event: state\ndata: {json.dumps(now)}\n\n".encode())
                        seen = now
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass
            self.close_connection = True

    return Handler


_BODY_END = b"</body>"
_SCRIPT = f'<script src="{LIVE_PATH}live.js"></script>'.encode()


def inject(page: bytes) -> bytes:
    """The live-reload script before </body> (or at the end)."""
    at = page.rfind(_BODY_END)
    return page[:at] + _SCRIPT + page[at:] if at >= 0 else page + _SCRIPT


def serve(config: Config, *, host: str, port: int, report: Callable[[str, str], None],
          load: Callable[[Path], Config], ready: Callable[[str], None] | None = None,
          stop: threading.Event | None = None) -> None:
    """Serve until Ctrl-C (or `stop` is set). `report(kind, text)` tells the terminal
    about builds ("note", "warning", "error"); `ready(url)` once the first build is up."""
    import watchfiles

    from tilbook.site.collect import base_path

    state = ServeState()
    builder = Builder(config.config_path, state, report, load)
    try:
        server = _Server((host, port), make_handler(state, builder, base_path(config)))
    except OSError as exc:
        raise UsageError(f"cannot serve on {host}:{port}: {exc.strerror or exc}",
                         hint="another server may use the port: pass --port N (0 picks a free one)") from exc
    stop = stop or threading.Event()
    builder.start()
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    serving.start()
    ignored = {config.root / ".tilbook", config.site_dir, config.root / ".git"}

    def keep(change: Any, path: str) -> bool:
        p = Path(path)
        if any(p == i or i in p.parents for i in ignored):
            return False
        name = p.name
        return not (name.startswith((".#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913")

    def watch_config() -> None:  # editors replace the file: watch its folder, not the file
        for changes in watchfiles.watch(config.root, recursive=False, stop_event=stop, debounce=400, step=30,
                                        rust_timeout=500, raise_interrupt=False,
                                        watch_filter=lambda _, path: Path(path).name == config.config_path.name):
            builder.request()

    # Ctrl-C during the first build (minutes for a big journal) stops as it does later: the
    # finally below ends the build's workers, which leave Ctrl-C to this process.
    sigterm_before: Any = None
    try:
        with state.changed:
            state.changed.wait_for(lambda: state.version > 0 or state.error is not None, timeout=600)
        shown_host = f"[{host}]" if ":" in host else host
        url = f"http://{shown_host}:{server.server_address[1]}{base_path(config)}/"
        if ready:
            ready(url)
        config_watcher = threading.Thread(target=watch_config, name="tilbook-watch-config", daemon=True)
        config_watcher.start()
        if threading.current_thread() is threading.main_thread():  # SIGTERM (a service manager) stops as Ctrl-C does
            import signal

            sigterm_before = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        for _ in watchfiles.watch(*watched_folders(config), watch_filter=keep, stop_event=stop,
                                  debounce=400, step=30, rust_timeout=500, raise_interrupt=True):
            builder.request()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        state.stopping = True
        with state.changed:
            state.changed.notify_all()
        server.shutdown()
        server.server_close()
        builder.close()
        if sigterm_before is not None:  # serve() called in a process that goes on: put it back
            import signal

            signal.signal(signal.SIGTERM, sigterm_before)


def warn_host(host: str) -> str | None:
    if host in ("127.0.0.1", "localhost", "::1"):
        return None
    return (f"serving on {host}: anyone who can reach this machine on that address can read the preview, "
            "drafts included; use the default 127.0.0.1 unless you mean it")

