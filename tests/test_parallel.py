"""The collector is paused for a build and runs again after it, in workers, and for long waits."""

import gc

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
