"""CPU-bound work over many files: how many worker processes, and the map that uses them."""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def worker_count(items: int, *, threshold: int, requested: int | None = None) -> int:
    """`requested` if given; else one per core (at most 8) once there are `threshold` items,
    below which starting processes costs more than it saves (measured in bench/)."""
    if requested is not None:
        return max(1, requested)
    return min(os.cpu_count() or 1, 8) if items >= threshold else 1


_PAUSED: list[bool] = []  # whether the collector ran before each paused_gc now open
_ENDING: list[bool] = [False]  # set by `end_paused`: the process ends after this command


def end_paused() -> None:
    """This process ends after the command now running (`tilbook build`): a collector that
    `paused_gc` paused stays paused. Turned back on, it made a full pass over the build's
    objects on the way out: 0.1-0.2 s of a one-entry rebuild of 2,000 entries. Never for a
    process that goes on (`serve`, tests calling `main`): their cycles must be collected."""
    _ENDING[0] = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while the block runs (refcounting still frees the rest).

    A build loads and makes hundreds of thousands of objects, few of them in cycles; the
    collector's full passes over them were a third of a one-entry rebuild at 10,000
    entries. Worker processes forked meanwhile collect as usual (`_worker_start`)."""
    was = gc.isenabled()
    gc.disable()
    _PAUSED.append(was)
    try:
        yield
    finally:
        _PAUSED.pop()
        if was and not _ENDING[0]:
            gc.enable()


@contextmanager
def resumed_gc() -> Iterator[None]:
    """The collector as it was before `paused_gc`, inside a paused block (long waits)."""
    if _PAUSED and _PAUSED[0] and not gc.isenabled():
        gc.enable()
        try:
            yield
        finally:
            gc.disable()
    else:
        yield


def worker_gc() -> None:
    """In a worker forked from a build with the collector paused (see `paused_gc`): what it
    inherited is set aside for good (the collector would otherwise walk all of it, and
    touching those pages copies them), and the collector runs on what the worker makes."""
    gc.freeze()
    gc.enable()


def _worker_start(initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> None:
    worker_gc()
    if initializer is not None:
        initializer(*initargs)


def map_with_progress(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    threshold: int,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[R]:
    """`fn` over `items`, in order: in worker processes when there are enough items (see
    `worker_count`), else here. `progress(done, total)` after each item; `initializer(*initargs)`
    runs in each worker (and here, for the in-process path) to hand over shared state."""
    n = worker_count(len(items), threshold=threshold, requested=workers)
    if initializer is not None:
        initializer(*initargs)
    if n > 1 and len(items) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(n, initializer=_worker_start, initargs=(initializer, initargs)) as pool:
            for i, result in enumerate(pool.map(fn, items, chunksize=max(1, len(items) // (n * 8))), 1):
                if progress:
                    progress(i, len(items))
                yield result
        return
    for i, item in enumerate(items, 1):
        yield fn(item)
        if progress:
            progress(i, len(items))
