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
    import signal  # here and below: a no-op build never needs it (its enums cost 2 ms)

    # Ctrl-C reaches every process of the terminal's group: the parent stops the pool, and
    # a worker that took it too would send it back as a task's result, mid-shutdown. The
    # worker was started with SIGINT blocked (`_sigint_blocked`), so none came before this.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    worker_gc()
    if initializer is not None:
        initializer(*initargs)


class WorkerPool:
    """Worker processes that map a function over items, in order (see `worker_pool`)."""

    def __init__(self, executor: Any, workers: int) -> None:
        self.executor, self.workers = executor, workers

    def map(self, fn: Callable[[T], R], items: Sequence[T], *, after_chunk: Callable[[], None] | None = None) -> Iterator[R]:
        """`fn` over `items` in chunks, results in order; `after_chunk()` runs in the worker
        after each chunk, before its results come back. Unlike `Executor.map`, a consumer
        that stops early leaves the queued chunks to `worker_pool` to end: Python 3.11's
        executor then raised InvalidStateError in its own thread over futures that map had
        cancelled."""
        size = max(1, len(items) // (self.workers * 8))
        with _sigint_blocked():  # the first submit starts the workers
            futures = [self.executor.submit(_run_chunk, fn, items[i : i + size], after_chunk)
                       for i in range(0, len(items), size)]
        for future in futures:
            yield from future.result()


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT held back from this thread while the block runs: a worker started meanwhile
    inherits the mask, so a Ctrl-C between its start and its `_worker_start` (which ignores
    Ctrl-C) waits instead of printing a KeyboardInterrupt traceback from the worker. In
    this process a Ctrl-C held back arrives when the block ends. (No-op on Windows.)"""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _run_chunk(fn: Callable[[T], R], chunk: Sequence[T], after_chunk: Callable[[], None] | None = None) -> list[R]:
    results = [fn(item) for item in chunk]
    if after_chunk is not None:
        after_chunk()
    return results


@contextmanager
def worker_pool(n: int, *, fork: bool = False, initializer: Callable[..., Any] | None = None,
                initargs: tuple[Any, ...] = ()) -> Iterator[WorkerPool]:
    """`n` worker processes (forked with `fork`, else the platform's way) that Ctrl-C stops
    at once: leaving the block by an exception (KeyboardInterrupt above all) ends the
    workers and drops what is queued instead of waiting for it.

    Why: on Ctrl-C the executor's own exit waited for every queued task, and a second
    Ctrl-C during that wait left its workers idle and never told to stop: the process then
    hung at exit, joining them (1 run in 4-5 with two SIGINTs, 2,000 entries)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork") if fork else None
    executor = ProcessPoolExecutor(n, mp_context=context, initializer=_worker_start, initargs=(initializer, initargs))
    _RUNNING.add(executor)
    try:
        yield WorkerPool(executor, n)
    except BaseException:
        with ctrl_c_held():
            _stop_now(executor)
        raise
    finally:
        _RUNNING.discard(executor)
    executor.shutdown(wait=True)


_RUNNING: set[Any] = set()  # the executors of the worker_pool blocks now open, in any thread


def stop_worker_pools() -> None:
    """End the workers of every pool now in use, from another thread (`serve` stopping while
    its builder thread builds): the map waiting on them raises BrokenProcessPool, and the
    pool's own thread cleans up (two threads shutting one executor down raced to close its
    pipes: "Bad file descriptor", 1 stop in 15). Its workers leave Ctrl-C to the parent, so
    without this a cold build went on after Ctrl-C."""
    for executor in list(_RUNNING):
        _end_workers(executor)


def _end_workers(executor: Any) -> list[Any]:
    """Send every worker of `executor` SIGTERM; returns them."""
    # Python 3.14 has terminate_workers(); before it, the processes are only in the
    # executor's `_processes` (which shutdown() empties).
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for proc in processes:
        proc.terminate()
    return processes


def _stop_now(executor: Any) -> None:
    """End the workers (a task under way is abandoned); the executor then fails what is
    queued (BrokenProcessPool, which no one waits for) and its thread ends."""
    processes = _end_workers(executor)
    for proc in processes:
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join(1)
    # Waiting lets the executor's thread see its workers gone and close its pipes now; with
    # wait=False it closed them while the interpreter's exit used them ("Bad file descriptor").
    executor.shutdown(wait=True)


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Ctrl-C is ignored while the block runs: for cleanup that must not stop halfway (a
    second Ctrl-C while the first one's cleanup runs). Main thread only: `serve` builds in
    another thread, and only the main thread may set signal handlers; elsewhere a no-op."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def map_with_progress(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    threshold: int,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple[Any, ...] = (),
    after_chunk: Callable[[], None] | None = None,
) -> Iterator[R]:
    """`fn` over `items`, in order: in worker processes when there are enough items (see
    `worker_count`), else here. `progress(done, total)` after each item; `initializer(*initargs)`
    runs in each worker (and here, for the in-process path) to hand over shared state;
    `after_chunk()` in a worker after each chunk of items, before their results come back
    (here: after the last item), to finish what the items left pending."""
    n = worker_count(len(items), threshold=threshold, requested=workers)
    if initializer is not None:
        initializer(*initargs)
    if n > 1 and len(items) > 1:
        with worker_pool(n, initializer=initializer, initargs=initargs) as pool:
            for i, result in enumerate(pool.map(fn, items, after_chunk=after_chunk), 1):
                if progress:
                    progress(i, len(items))
                yield result
        return
    for i, item in enumerate(items, 1):
        yield fn(item)
        if progress:
            progress(i, len(items))
    if after_chunk is not None:
        after_chunk()
