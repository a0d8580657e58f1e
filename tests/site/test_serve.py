"""`tilbook serve` as a writer uses it: the real command in a subprocess, a real browser."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import CHROMIUM_ARGS, chromium_path, copy_example
from tilbook.site.serve import inject, warn_host


class Server:
    def __init__(self, root, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "tilbook", "serve", "--port", "0", *args], cwd=root,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.err: list[str] = []
        threading.Thread(target=lambda: self.err.extend(iter(self.proc.stderr.readline, "")), daemon=True).start()
        line = self.proc.stdout.readline()
        assert line.startswith("serving "), line + "".join(self.err)
        self.url = line.split()[1]

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.err):
            assert time.monotonic() < deadline, f"no {text!r} in:\n" + "".join(self.err)
            time.sleep(0.05)

    def stop(self) -> tuple[int, float]:
        start = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)
        return self.proc.returncode, time.monotonic() - start


@pytest.fixture()
def workspace(tmp_path):
    root = copy_example(tmp_path)
    # a sub-path site, as on GitHub Pages: the preview serves under it too
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert "site_url: https://example.github.io/nightly-dl/" in text
    return root


def test_an_edit_reloads_the_open_page_and_an_error_shows_until_fixed(workspace):
    from playwright.sync_api import sync_playwright

    entry = workspace / "journal/2026/2026-11-10-dead-kernel.md"
    original = entry.read_text(encoding="utf-8")
    (workspace / "journal/2026/2026-11-25-draft.md").write_text(
        "---\ntitle: 아직 쓰는 중\ndraft: true\n---\n초안.\n", encoding="utf-8")
    server = Server(workspace)
    try:
        assert server.url.endswith("/nightly-dl/")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(server.url)
            draft = page.locator(".card", has_text="아직 쓰는 중")
            assert draft.locator(".badge").inner_text() == "초안"  # drafts show in the preview, badged
            page.goto(server.url + "2026/11/10/dead-kernel/")
            page.wait_for_load_state("networkidle")
            started = time.monotonic()
            entry.write_text(original + "\n\n새로 덧붙인 문장.\n", encoding="utf-8")
            page.wait_for_function("() => document.body.innerText.includes('새로 덧붙인 문장')", timeout=20_000)
            reload_s = time.monotonic() - started
            entry.write_text("---\ntitle: [broken\n---\n" + original, encoding="utf-8")
            overlay = page.locator("#tilbook-error")
            overlay.wait_for(timeout=20_000)
            assert "2026-11-10-dead-kernel.md:2" in overlay.inner_text()
            assert overlay.inner_text().startswith("tilbook: 빌드에 실패했습니다")  # in the site's language
            page.screenshot(path=str(workspace / "serve-error.png"))
            server.wait_for("2026-11-10-dead-kernel.md:2")  # and in the terminal
            entry.write_text(original, encoding="utf-8")
            overlay.wait_for(state="detached", timeout=20_000)
            assert "새로 덧붙인 문장" not in page.locator("body").inner_text()
            browser.close()
        assert reload_s < 10
    finally:
        code, took = server.stop()
    assert code == 0 and took < 10 and "stopped" in "".join(server.err)
    assert not (workspace / "site").exists()  # the preview never touches site/


def test_files_under_the_base_path_the_script_only_in_html_and_nothing_outside(workspace):
    server = Server(workspace)
    try:
        page = urllib.request.urlopen(server.url).read().decode()
        assert page.count("/__tilbook/live.js") == 1 and page.rstrip().endswith("</html>")
        css = urllib.request.urlopen(server.url + "assets/tilbook.css").read().decode()
        assert "__tilbook" not in css
        origin = server.url.split("/nightly-dl/")[0]
        for path in ("/nightly-dl/../../etc/passwd", "/nightly-dl/%2e%2e/%2e%2e/etc/passwd", "/other/"):
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(origin + path)
            assert info.value.code == 404
        assert urllib.request.urlopen(origin + "/").geturl() == server.url  # the root leads to the site
    finally:
        server.stop()


def test_a_busy_port_is_a_clear_error(workspace):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "tilbook", "serve", "--port", str(port)], cwd=workspace,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and f"cannot serve on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr


def test_a_watcher_failure_is_not_called_a_busy_port(tmp_path, run, monkeypatch):
    """Only the port's own error says "cannot serve on HOST:PORT"; the watcher failing later
    (a watch limit on Linux) says that it stopped and why. Both used to read as a busy port."""
    import watchfiles

    from tests.conftest import make_workspace

    make_workspace(tmp_path, {"2026-11-01.md": "# 하나\n\n본문\n"})

    def watch(*paths, **options):
        if options.get("raise_interrupt"):  # the journal's watcher, in the main thread
            raise OSError(28, "OS file watch limit reached")
        return iter(())  # the config's, in its own thread

    monkeypatch.setattr(watchfiles, "watch", watch)
    sigterm = signal.getsignal(signal.SIGTERM)
    result = run(tmp_path, "serve", "--port", "0")
    assert result.code == 1
    assert "serve stopped: OS file watch limit reached" in result.err and "max_user_watches" in result.err
    assert "cannot serve on" not in result.err
    # serve() in a process that goes on leaves its SIGTERM handler behind no more: processes
    # forked later (a multiprocessing.Pool's) kept it and ignored terminate(), and hung a test
    assert signal.getsignal(signal.SIGTERM) is sigterm


def test_inject_and_host_warning():
    assert inject(b"<html><body><p>x</p></body></html>") == (
        b'<html><body><p>x</p><script src="/__tilbook/live.js"></script></body></html>')
    assert inject(b"<p>no body</p>").endswith(b"</script>")
    assert warn_host("127.0.0.1") is None and "drafts included" in warn_host("0.0.0.0")


def test_a_first_preview_starts_from_what_build_parsed(tmp_path, monkeypatch):
    """`serve` keeps a cache of its own; the first one parsed the whole journal again right
    after `build` had (4.4 s at 2,000 entries). It now starts from build's entries and
    bodies: only an entry edited since is parsed, and the preview is still the whole site."""
    from tests.conftest import make_workspace
    from tilbook.config import load_config
    from tilbook.site import bodies
    from tilbook.site.build import build_site
    from tilbook.site.serve import Builder, ServeState

    entries = {f"2026-11-{d:02d}-e{d}.md": f"---\ntitle: 글 {d}\ntags: [gan]\n---\n본문 {d}, `code`.\n" for d in range(1, 6)}
    entries["2026-11-06-draft.md"] = "---\ntitle: 초안\ndraft: true\n---\n쓰는 중\n"
    config = make_workspace(tmp_path, entries)
    build_site(config)
    (tmp_path / "journal/2026-11-03-e3.md").write_text("---\ntitle: 글 3\n---\n고쳤다.\n", encoding="utf-8")
    parsed: list[str] = []
    real = bodies.parse_and_render

    def counted(paths, *args, **kwargs):
        parsed.extend(p.name for p in paths)
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(bodies, "parse_and_render", counted)
    reports: list[tuple[str, str]] = []
    builder = Builder(tmp_path / "mkdocs.yml", ServeState(), lambda kind, text: reports.append((kind, text)), load_config)
    builder._build()
    assert parsed == ["2026-11-03-e3.md"] and not [r for r in reports if r[0] == "error"]
    preview = tmp_path / ".tilbook/serve/site"
    assert "고쳤다" in next(preview.glob("2026/11/03/*/index.html")).read_text(encoding="utf-8")
    assert len(list(preview.glob("2026/11/*/*/index.html"))) == 6  # drafts shown
    # a preview cache that exists is the preview's own: never replaced by build's
    builder.caches.flush()  # (as `serve` does when it stops)
    (tmp_path / "journal/2026-11-04-e4.md").write_text("---\ntitle: 글 4\n---\n이것도.\n", encoding="utf-8")
    build_site(config)  # build's cache has e4 now; the preview's does not
    parsed.clear()
    builder = Builder(tmp_path / "mkdocs.yml", ServeState(), lambda kind, text: reports.append((kind, text)), load_config)
    builder._build()
    assert parsed == ["2026-11-04-e4.md"]


def test_a_warning_is_printed_once_not_at_every_save(workspace):
    """Every rebuild printed every warning again: a journal with 200 of them, 400 lines a
    save. A warning shows when it first appears; the 31st and later are counted."""
    entry = workspace / "journal/2026/2026-11-10-dead-kernel.md"
    original = entry.read_text(encoding="utf-8")
    pictures = "".join(f"\n\n![그림 {i}](gone-{i}.png)" for i in range(32))
    entry.write_text(original + pictures + "\n", encoding="utf-8")
    server = Server(workspace)

    def save(text: str) -> None:
        """Write the entry and wait for its rebuild (again, a little changed, if the watcher
        was not yet watching when it was written)."""
        before = sum("rebuilt:" in line for line in server.err)
        for attempt in range(10):
            entry.write_text(text + f"\n<!-- {attempt} -->\n", encoding="utf-8")
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                if sum("rebuilt:" in line for line in server.err) > before:
                    return
                time.sleep(0.05)
        raise AssertionError("no rebuild:\n" + "".join(server.err))

    try:
        server.wait_for("... and 2 more warnings: `tilbook check` lists them all")
        assert sum("gone-" in line for line in server.err) == 30
        save(original + pictures + "\n\n고친 문장.")
        save(original + pictures + "\n\n![새 그림](new.png)")
        assert sum("gone-" in line for line in server.err) == 30  # not again
        assert sum("'2026/new.png'" in line for line in server.err) == 1
    finally:
        server.stop()
