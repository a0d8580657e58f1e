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
