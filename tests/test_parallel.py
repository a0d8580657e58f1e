"""Worker processes: the collector paused for a build and running in workers; Ctrl-C
stopping them at once, in a build and in serve."""

import gc
import time

from tilbook.parallel import map_with_progress, paused_gc, resumed_gc


def _collector_on(_item):
    return gc.isenabled()


def test_paused_gc_restores_and_workers_collect():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with resumed_gc():
            assert gc.isenabled()
        assert not gc.isenabled()
        # forked workers collect as usual; the in-process path runs paused
        assert list(map_with_progress(_collector_on, list(range(4)), threshold=1, workers=2)) == [True] * 4
        assert list(map_with_progress(_collector_on, [0], threshold=10)) == [False]
    assert gc.isenabled()


def test_paused_gc_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        with paused_gc():
            with resumed_gc():
                assert not gc.isenabled()  # it was off before: a long wait does not turn it on
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_bodies_parse_in_spawned_workers(tmp_path):
    """macOS and Windows start workers by spawning a new interpreter, not by forking: what a
    worker needs must travel by pickle (a bound `dict.update` arrived as a copy's method,
    and every spawned worker failed with KeyError 'config')."""
    import multiprocessing

    from tests.conftest import make_workspace
    from tilbook.site.bodies import parse_and_render
    from tilbook.site.store import HtmlStore

    config = make_workspace(tmp_path, {f"2026-11-0{i}.md": f"# 제목 {i}\n\n```python\nprint({i})\n```\n" for i in (1, 2, 3)})
    store = HtmlStore(tmp_path / "html.sqlite")
    before = multiprocessing.get_start_method()
    multiprocessing.set_start_method("spawn", force=True)
    try:
        paths = sorted((tmp_path / "journal").glob("*.md"))
        out = list(parse_and_render(paths, config, store, 2, None))
    finally:
        multiprocessing.set_start_method(before, force=True)
    assert [rel for rel, _, _ in out] == ["2026-11-01.md", "2026-11-02.md", "2026-11-03.md"]
    assert all(body is not None and "print" in store.get(body.key) for _, _, body in out)
    store.close()


def test_a_one_shot_build_leaves_the_collector_paused_and_main_does_not(tmp_path):
    """`tilbook build` (cli.run, a process that ends) keeps the collector off after the build
    instead of a full pass over its objects on the way out; `main` in a process that goes on
    (tests, and `serve` building again and again) gets it back."""
    import subprocess
    import sys

    from tests.conftest import make_workspace
    from tilbook.cli import main

    make_workspace(tmp_path, {"2026-11-01.md": "# 하나\n\n본문\n"})
    code = ("import gc, sys\nfrom tilbook.cli import run\nsys.argv = ['tilbook', 'build']\n"
            "code = run()\nprint(code, gc.isenabled())")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout.split()[-2:] == ["0", "False"], done.stderr
    assert main(["--config", str(tmp_path / "mkdocs.yml"), "build", "--no-cache"]) == 0
    assert gc.isenabled()


def _interrupts_itself(item):
    import os
    import signal

    os.kill(os.getpid(), signal.SIGINT)  # what a terminal's Ctrl-C does to every worker
    return item * 2


def test_workers_leave_ctrl_c_to_the_parent():
    """A worker that gets SIGINT goes on: the parent stops the pool. Before, the worker sent
    the KeyboardInterrupt back as its task's result, in the middle of the parent's shutdown."""
    from tilbook.parallel import worker_pool

    with worker_pool(2) as pool:
        assert list(pool.map(_interrupts_itself, list(range(6)))) == [0, 2, 4, 6, 8, 10]


def _slow_and_marked(job):
    import time
    from pathlib import Path

    folder, i = job
    time.sleep(0.3)
    (Path(folder) / f"{i}.done").write_text("")
    return i


def test_leaving_a_pool_by_an_exception_drops_what_is_queued(tmp_path):
    """Ctrl-C (any exception) in the parent ends the workers instead of waiting for the 40
    queued tasks (12 s of them here): the executor's own exit ran every one."""
    import pytest

    from tilbook.parallel import worker_pool

    with pytest.raises(KeyboardInterrupt):
        with worker_pool(2) as pool:
            for _ in pool.map(_slow_and_marked, [(str(tmp_path), i) for i in range(40)]):
                raise KeyboardInterrupt
    assert len(list(tmp_path.glob("*.done"))) <= 8


def _big_journal(root):
    """320 entries: enough for worker processes (bodies.PARALLEL_MIN is 200) and a parse of
    a few seconds."""
    from tests.conftest import make_workspace

    body = "오늘 배운 것.\n\n```python\nfor i in range(3):\n    print(i * 2)\n```\n\n" + "본문 문장을 쓴다. " * 200
    make_workspace(root, {f"2026/{i:03d}.md": f"---\ntitle: 글 {i}\ndate: 2026-01-01\n---\n{body}\n" for i in range(320)})


def _start(root, *args):
    """`tilbook ARGS` in `root`, in its own process group (as a terminal runs it)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.Popen([sys.executable, "-m", "tilbook", *args], cwd=root, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _output_once_done(proc, limit=20):
    """What `proc` printed, once it has exited; its group is killed if it has not in `limit` s."""
    import os
    import signal

    try:
        out, _ = proc.communicate(timeout=limit)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return out


def _still_running(pids):
    import os

    return [pid for pid in pids if os.path.exists(f"/proc/{pid}")]


def _when_workers_run(proc, count=2, limit=60.0):
    """The pids of `proc`'s children once it has `count` of them (its parse workers)."""
    import subprocess
    import time

    deadline = time.monotonic() + limit
    workers: list[str] = []
    while len(workers) < count and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
        workers = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) >= count, "the build never started its workers"
    return workers


def test_ctrl_c_twice_during_a_parallel_build_exits_and_leaves_the_site(tmp_path):
    """Ctrl-C, then Ctrl-C again, while workers parse: the build exits 130 at once, no
    worker is left behind, and site/ is the previous build's, with nothing beside it.
    (Two SIGINTs used to hang the process at exit in about one run in five, and each
    worker printed its KeyboardInterrupt traceback.)"""
    import hashlib
    import os
    import signal

    _big_journal(tmp_path)
    assert _output_once_done(_start(tmp_path, "build"), limit=300).startswith("built site/")

    def site_digest():
        files = sorted(p for p in (tmp_path / "site").rglob("*") if p.is_file())
        return hashlib.sha256(b"".join(p.relative_to(tmp_path).as_posix().encode() + p.read_bytes() for p in files)).hexdigest()

    before = site_digest()
    build = _start(tmp_path, "build", "--no-cache")
    workers = _when_workers_run(build)
    os.killpg(build.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole group
    time.sleep(0.05)
    os.killpg(build.pid, signal.SIGINT)
    out = _output_once_done(build)
    assert build.returncode == 130, out
    assert "interrupted" in out and "Traceback" not in out and "Exception" not in out, out
    assert not _still_running(workers)
    assert site_digest() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == []


def test_ctrl_c_during_serves_first_build_stops_it(tmp_path):
    """`serve` builds in a thread; Ctrl-C while its first build's workers parse stops the
    preview at once (the workers leave Ctrl-C to the parent, so serve ends them)."""
    import os
    import signal

    _big_journal(tmp_path)
    serving = _start(tmp_path, "serve", "--port", "0")
    workers = _when_workers_run(serving)
    started = time.monotonic()
    os.killpg(serving.pid, signal.SIGINT)
    out = _output_once_done(serving)
    assert time.monotonic() - started < 5, out  # the parse alone has seconds left
    assert serving.returncode == 0 and "stopped" in out and "Traceback" not in out, out
    assert not _still_running(workers)
