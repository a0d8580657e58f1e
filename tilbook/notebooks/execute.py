"""A notebook + a kernel → an executed notebook and its run record (`tilbook notebook run`).

nbclient runs the cells; this module adds what its users miss (DESIGN.md, issue 5): the
kernel is checked before it starts, parameters are injected papermill-style, progress is
reported cell by cell, a failed, timed-out, killed or interrupted run still saves the
partial notebook with a banner pointing at the cell that stopped it, and the run record
says what ran where, as seen inside the kernel.

Layout of one run (`folder` is usually the freeze store's folder for the notebook):

    folder/NAME.ipynb        the executed notebook (partial when the run failed)
    folder/run.json          the run record (`ExecutedNotebook.to_json`)
    folder/figures/*.png     every image output, as files
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Mapping

from tilbook.errors import ExecutionError

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
ERROR_TAG = "tilbook-error"
METRICS_MIME = "application/vnd.tilbook.metrics+json"
RECORD_NAME = "run.json"
FIGURES_FOLDER = "figures"
_PROBE_MARK = "tilbook-probe:"

Status = Literal["ok", "error", "timeout", "dead", "interrupted"]


@dataclass(frozen=True)
class Kernel:
    """A kernel that was checked before anything starts: a local kernelspec whose
    interpreter exists, or a remote whose server answered, took the token and has the
    kernel (`remote` set; its credentials are kept out of repr)."""

    name: str
    display_name: str
    interpreter: str
    spec_dir: str | None
    remote: Any = None
    auth: dict[str, str] | None = field(default=None, repr=False, compare=False)
    env: Mapping[str, str] | None = field(default=None, compare=False)
    """The kernelspec's environment variables (a local kernel)."""


def resolve_kernel(name: str, config: Any = None) -> Kernel:
    """The kernel `name`: one of `config`'s remotes (after a preflight against its server),
    else a local kernelspec. Raises `ExecutionError` naming what failed and the fix: the
    spec's folder when it is missing or its interpreter is gone, the remote's key when its
    server cannot be reached or refuses the token."""
    from jupyter_client.kernelspec import NoSuchKernel

    remote = next((r for r in (config.tilbook.remotes if config is not None else ()) if r.name == name), None)
    if remote is not None:
        from tilbook.notebooks.remote import authenticate, preflight

        auth = authenticate(remote)
        specs = preflight(remote, auth)
        shown = specs["kernelspecs"][remote.kernel].get("spec", {}).get("display_name") or remote.kernel
        return Kernel(name, f"{shown} on {remote.url}", f"{remote.kernel} on {remote.url}", None, remote, auth)

    manager = _spec_manager()
    try:
        spec = manager.get_kernel_spec(name)
    except NoSuchKernel as exc:
        known = ", ".join(sorted(manager.find_kernel_specs())) or "none"
        raise ExecutionError(
            f"no Jupyter kernel named {name!r} (installed: {known})", key="tilbook.kernel",
            hint=f"list them with `jupyter kernelspec list`; register an environment's Python as {name!r} with "
                 f"`/path/to/env/bin/python -m ipykernel install --user --name {name}`, or set tilbook.kernel",
        ) from exc
    argv0 = spec.argv[0] if spec.argv else ""
    # jupyter_client starts specs whose argv[0] is a bare `python` with its own interpreter.
    if argv0 in ("python", f"python{sys.version_info[0]}", f"python{sys.version_info[0]}.{sys.version_info[1]}"):
        interpreter = sys.executable
    else:
        interpreter = argv0 if os.path.isabs(argv0) else (shutil.which(argv0) or argv0)
    if not (os.path.isfile(interpreter) and os.access(interpreter, os.X_OK)):
        raise ExecutionError(
            f"kernel {name!r} runs {argv0!r}, which does not exist (was its environment deleted or moved?)",
            path=os.path.join(spec.resource_dir, "kernel.json"), key="argv",
            hint=f"see `jupyter kernelspec list`; re-register it from the environment you use: "
                 f"`/path/to/env/bin/python -m ipykernel install --user --name {name}`, "
                 f"or remove it: `jupyter kernelspec remove {name}`",
        )
    return Kernel(name, spec.display_name or name, interpreter, spec.resource_dir, env=dict(spec.env or {}))


def _spec_manager() -> Any:
    """A KernelSpecManager shared while Jupyter's folders stay the same: finding them costs
    30 ms each time (the specs in them are read afresh on every lookup)."""
    return _spec_manager_for(*(os.environ.get(k) for k in ("JUPYTER_PATH", "JUPYTER_DATA_DIR", "HOME")))


@functools.lru_cache(maxsize=4)
def _spec_manager_for(*_where: str | None) -> Any:
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager()


class KernelLaunch:
    """A kernel's manager and the event loop that drives it, for one run.

    `start()` launches the kernel's process and returns at once: `notebook run` calls it
    before it imports and prepares the notebook, so the kernel boots (half a second of
    IPython's imports) on another core meanwhile. A launch not started early starts when
    the run sets up. On POSIX the kernel talks over IPC sockets in a private folder: no TCP
    ports to race for under `-j`, nothing listening on the network."""

    def __init__(self, kernel: Kernel, cwd: Path) -> None:
        import asyncio

        from jupyter_client.manager import AsyncKernelManager

        self.kernel, self.cwd = kernel, cwd
        self.runner = asyncio.Runner()
        self.sockets: str | None = None
        if kernel.remote is not None:
            from tilbook.notebooks.remote import gateway_manager

            self.manager = gateway_manager(kernel.remote, kernel.auth or {})
            return
        self.manager = AsyncKernelManager(kernel_name=kernel.name, kernel_spec_manager=_spec_manager())
        if os.name == "posix":
            self.sockets = tempfile.mkdtemp(prefix="tilbook-kernel-")
            if len(self.sockets) < 90:  # a socket's path must fit in 104 bytes (macOS), 108 (Linux)
                self.manager.transport, self.manager.ip = "ipc", os.path.join(self.sockets, "k")

    def start(self) -> "KernelLaunch":
        if self.kernel.remote is not None:  # its folders are the server's: no cwd from here
            self.runner.run(self.manager.start_kernel(kernel_name=self.kernel.remote.kernel))
        else:
            self.runner.run(self.manager.start_kernel(cwd=str(self.cwd), extra_arguments=list(KERNEL_ARGUMENTS)))
        return self

    def close(self) -> None:
        """Stop the kernel if it still runs (the run normally has) and free what it used."""
        try:
            if self.manager.has_kernel:
                self.runner.run(self.manager.shutdown_kernel(now=True))
        except Exception:  # a remote that went away has nothing left to stop
            if self.kernel.remote is None:
                raise
        finally:
            self.runner.close()
            if self.sockets:
                shutil.rmtree(self.sockets, ignore_errors=True)


# What nbclient passes a kernel it starts: no IPython history file written for a batch run.
KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)


def inject_parameters(nb: Any, values: Mapping[str, Any]) -> Any:
    """Put `values` in a cell tagged `injected-parameters` right after the cell tagged
    `parameters` (first, if there is none), replacing one a previous run injected. Returns
    `nb`, changed in place; no values removes the injected cell."""
    import nbformat

    nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.metadata.get("tags", [])]
    if not values:
        return nb
    source = "# Parameters injected by tilbook\n" + "\n".join(f"{k} = {v!r}" for k, v in values.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [INJECTED_TAG]})
    cell.id = INJECTED_TAG
    at = next((i + 1 for i, c in enumerate(nb.cells) if PARAMETERS_TAG in c.metadata.get("tags", [])), 0)
    nb.cells.insert(at, cell)
    return nb


@dataclass(frozen=True)
class CellTiming:
    index: int
    """Position in the notebook (0-based, markdown cells counted)."""
    first_line: str
    seconds: float


@dataclass(frozen=True)
class CellEvent:
    """Progress: `done` code cells of `total` finished; `cell` is the one starting now (None
    when the run ends)."""

    done: int
    total: int
    elapsed: float
    cell: int | None = None
    first_line: str = ""


@dataclass(frozen=True)
class ExecutedNotebook:
    """The run record, stored beside the executed notebook as run.json."""

    notebook: str
    status: Status
    started: str
    duration: float
    kernel: str
    interpreter: str
    environment: Mapping[str, Any]
    """Seen inside the kernel: python, executable, numpy, torch, cuda, device."""
    parameters: Mapping[str, Any]
    metrics: Mapping[str, Any] | None
    fallbacks: tuple[str, ...]
    figures: tuple[str, ...]
    """Image files, relative to the record's folder."""
    cells: tuple[CellTiming, ...] = ()
    error: Mapping[str, Any] | None = None
    """When status is not ok: cell (index), source (excerpt), ename, evalue, traceback."""
    template: Mapping[str, Any] = field(default_factory=dict)
    """The tilbook metadata of a generated notebook (template, profile, parameters)."""
    key: str = ""
    """`freeze_key` of what ran: a run with the same key need not run again."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, default=str) + "\n"


FREEZE_FORMAT = 1


def freeze_key(nb: Any, parameters: Mapping[str, Any], kernel_name: str) -> str:
    """A hash of what decides a run's results: the code cells (normalised: trailing spaces
    and blank lines dropped; banners and the injected cell left out, the parameters stand
    for it), the parameters, the kernel's name and a format version. Markdown, outputs and
    the environment are not in it: a new machine does not force a re-run (the record shows
    where it ran)."""
    import hashlib

    code = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or INJECTED_TAG in tags or ERROR_TAG in tags:
            continue
        lines = [line.rstrip() for line in cell.source.splitlines()]
        code.append("\n".join(line for line in lines if line))
    payload = json.dumps({"format": FREEZE_FORMAT, "code": code, "parameters": dict(parameters), "kernel": kernel_name},
                         sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


def read_record(folder: Path) -> dict[str, Any] | None:
    """The run record in `folder`, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def frozen_run(folder: Path, name: str, key: str) -> dict[str, Any] | None:
    """The record of a successful earlier run with this key whose notebook is still there."""
    record = read_record(folder)
    if record is None:
        return None
    if record.get("key") == key and record.get("status") == "ok" and (folder / f"{name}.ipynb").is_file():
        return record
    return None


def execute_notebook(
    nb: Any,
    *,
    kernel: Kernel,
    folder: Path,
    name: str,
    parameters: Mapping[str, Any] | None = None,
    cell_timeout: float | None = None,
    total_timeout: float | None = None,
    progress: Callable[[CellEvent], None] | None = None,
    on_output: Callable[[str, str], None] | None = None,
    cwd: Path | None = None,
    launch: KernelLaunch | None = None,
) -> ExecutedNotebook:
    """Run `nb` on `kernel` and write `folder/NAME.ipynb`, `folder/run.json` and figures.

    Returns the record of a successful run. Any other outcome writes the partial notebook
    (with an error banner) and the record too, then raises `ExecutionError` carrying the
    cell, its source and the traceback; an interrupted run (Ctrl-C) raises KeyboardInterrupt
    after saving. `on_output(stream, text)` sees the cells' stdout and stderr as they come
    (tqdm's bars included). `launch` is a kernel started early for this run (see
    `KernelLaunch`); this run shuts it down."""
    import asyncio  # here: a build that only reads run records never needs it (16 ms)

    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    values = dict(parameters or {})
    inject_parameters(nb, values)
    _drop_error_cells(nb)
    key = freeze_key(nb, values, kernel.name)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    folder.mkdir(parents=True, exist_ok=True)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    state = _RunState(total=len(code_cells), progress=progress, remote=kernel.remote is not None)
    launch = launch or KernelLaunch(kernel, cwd or folder)
    if kernel.remote is not None and not launch.manager.has_kernel:
        try:
            launch.start()
        except Exception as exc:
            launch.close()
            raise ExecutionError(f"the Jupyter Server at {kernel.remote.url} did not start kernel "
                                 f"{kernel.remote.kernel!r}: {exc}", key=f"tilbook.remotes.{kernel.name}") from None
    client = _client_class()(nb, km=launch.manager, timeout=int(cell_timeout) if cell_timeout else None,
                             kernel_name=kernel.name, allow_errors=False, record_timing=True, startup_timeout=60,
                             resources={"metadata": {"path": str(cwd or folder)}})
    client.stream_hook = on_output
    started = dt.datetime.now(dt.timezone.utc).astimezone()
    status: Status = "ok"
    failure: Exception | None = None
    try:
        launch.runner.run(_with_deadline(_run_cells(client, nb, state, cwd or folder), total_timeout, state))
    except CellTimeoutError as exc:
        status, failure = "timeout", exc
    except KernelStartError as exc:
        status, failure = "dead", exc
    except _PreflightFailed as exc:
        status, failure = "error", exc
    except (DeadKernelError, asyncio.CancelledError) as exc:
        # nbclient reports a cancelled cell as a dead kernel: the deadline says which it was
        status, failure = ("timeout", _TotalTimeout()) if state.expired else ("dead", exc)
    except CellExecutionError as exc:
        status, failure = ("interrupted" if state.interrupted else "error"), exc
    except KeyboardInterrupt as exc:
        status, failure = "interrupted", exc
    except RuntimeError as exc:  # a remote kernel's channels end this way when its server goes
        if kernel.remote is None:
            raise
        status, failure = "dead", exc
    finally:
        launch.close()
    duration = time.perf_counter() - state.clock
    _renumber(nb)
    error = _error_details(nb, state, status, failure, total_timeout, cell_timeout) if status != "ok" else None
    if error is not None and status == "dead" and kernel.remote is not None and error["ename"] == "DeadKernel":
        error["evalue"] = f"the remote kernel, or the Jupyter Server at {kernel.remote.url}, stopped answering"
    figures = _write_figures(nb, folder)  # before the banner: figure names follow the cells' positions
    metrics = _metrics(nb)
    if error is not None:
        _add_error_banner(nb, error)
    record = ExecutedNotebook(
        notebook=f"{name}.ipynb",
        status=status,
        started=started.isoformat(timespec="seconds"),
        duration=round(duration, 3),
        kernel=kernel.name,
        interpreter=state.environment.get("executable") or kernel.interpreter,
        environment={**state.environment, **({"server": kernel.remote.url} if kernel.remote else {})},
        parameters=values,
        metrics=metrics,
        fallbacks=tuple((metrics or {}).get("fallbacks") or ()),
        figures=figures,
        cells=tuple(state.timings),
        error=error,
        template=dict(nb.metadata.get("tilbook", {})),
        key=key,
    )
    _write_outputs(nb, record, folder, name)
    if status == "interrupted":
        raise KeyboardInterrupt
    if error is not None:
        raise ExecutionError(_error_message(error, status), path=str(folder / f"{name}.ipynb"),
                             detail=error.get("traceback_text"),
                             hint=_error_hint(status, error, kernel)) from failure
    return record


# --- the run ---------------------------------------------------------------------------------


def _client_class() -> Any:
    """nbclient's client, passing stream output to a hook as it arrives (built when first
    needed: nbclient loads only when a notebook runs)."""
    from nbclient import NotebookClient

    class StreamingClient(NotebookClient):  # type: ignore[misc]
        stream_hook: Callable[[str, str], None] | None = None

        def output(self, outs: Any, msg: dict[str, Any], display_id: Any, cell_index: int) -> Any:
            if self.stream_hook is not None and msg.get("msg_type") == "stream":
                self.stream_hook(msg["content"].get("name", "stdout"), msg["content"].get("text", ""))
            out = super().output(outs, msg, display_id, cell_index)
            # A kernel sends one print in as many messages as its buffer was flushed (a remote
            # one more often): like Jupyter's front end, keep a run of one stream as one output.
            if (out is not None and out.get("output_type") == "stream" and len(outs) >= 2 and outs[-1] is out
                    and outs[-2].get("output_type") == "stream" and outs[-2].get("name") == out.get("name")):
                outs[-2]["text"] += out["text"]
                outs.pop()
                return outs[-1]
            return out

        async def async_start_new_kernel_client(self) -> Any:
            # nbclient's, less the fixed 0.2 s jupyter_client spends flushing IOPub after the
            # kernel is ready: every message after that is matched to its request anyway.
            from nbclient.util import run_hook

            import atexit

            from jupyter_core.utils import ensure_async

            self.kc = self.km.client()
            await ensure_async(self.kc.start_channels())  # a coroutine for a remote kernel's client
            try:
                await _wait_for_ready(self.kc, self.km, self.startup_timeout)
            except BaseException:
                atexit.unregister(self._cleanup_kernel)  # nbclient's, registered before; our launch cleans up
                await ensure_async(self.kc.stop_channels())
                raise
            self.kc.allow_stdin = False
            await run_hook(self.on_notebook_start, notebook=self.nb)
            return self.kc

    return StreamingClient


async def _wait_for_ready(kc: Any, km: Any, timeout: float) -> None:
    """Until the kernel answers kernel_info on the shell channel and IOPub carries its
    messages (so no output is missed); raises RuntimeError when it dies or `timeout` passes."""
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            reply = await kc.shell_channel.get_msg(timeout=1)
        except Empty:
            reply = None
        # Any kernel_info reply will do: a slow kernel answers an earlier request after the
        # next one is sent, and waiting for the newest one's reply would never end.
        if reply is not None and reply["msg_type"] == "kernel_info_reply":
            try:
                await kc.iopub_channel.get_msg(timeout=0.2)  # the kernel_info's busy status
            except Empty:
                pass  # IOPub not connected yet: ask again
            else:
                kc._handle_kernel_info_reply(reply)
                return
        if not await km.is_alive():
            code = await km.provisioner.poll() if km.provisioner is not None else None
            raise KernelStartError(f"the kernel exited before it was ready{f' (exit code {code})' if code else ''}; "
                                   "its own error is printed above")
        if time.monotonic() > deadline:
            raise KernelStartError(f"the kernel did not answer within {timeout:g} s of starting")


class KernelStartError(Exception):
    """The kernel's process died or hung before it could run anything."""


@dataclass
class _RunState:
    total: int
    progress: Callable[[CellEvent], None] | None
    done: int = 0
    current: int | None = None
    interrupted: bool = False
    expired: bool = False
    clock: float = field(default_factory=time.perf_counter)
    cell_clock: float = 0.0
    timings: list[CellTiming] = field(default_factory=list)
    environment: dict[str, Any] = field(default_factory=dict)
    remote: bool = False

    def start(self, index: int, source: str) -> None:
        self.current, self.cell_clock = index, time.perf_counter()
        if self.progress:
            self.progress(CellEvent(self.done, self.total, time.perf_counter() - self.clock, index, _first_line(source)))

    def finish(self, index: int, source: str) -> None:
        self.done += 1
        self.timings.append(CellTiming(index, _first_line(source), round(time.perf_counter() - self.cell_clock, 3)))
        self.current = None


# Run first (versions only, no imports) and last (the device, from torch only if the notebook
# loaded it): so the record says what ran, as the kernel saw it, at no cost to the notebook.
_PROBE_START = f"""
def _tilbook_probe():
    import json, platform, sys
    from importlib import metadata
    found = {{"python": platform.python_version(), "executable": sys.executable, "host": platform.node()}}
    for name in ("numpy", "torch"):
        try:
            found[name] = metadata.version(name)
        except Exception:
            found[name] = None
    print("{_PROBE_MARK}" + json.dumps(found))
_tilbook_probe(); del _tilbook_probe
"""
_DEVICE = """
    if torch is not None:
        found["cuda"] = torch.version.cuda
        if torch.cuda.is_available():
            found["device"] = "cuda: " + torch.cuda.get_device_name(0)
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            found["device"] = "mps"
        else:
            found["device"] = "cpu"
"""
_PROBE_END = f"""
def _tilbook_probe():
    import json, sys
    found = {{}}
    torch = sys.modules.get("torch")
{_DEVICE}
    print("{_PROBE_MARK}" + json.dumps(found))
_tilbook_probe(); del _tilbook_probe
"""
# A remote kernel (the GPU desktop) is checked from inside before any cell runs: torch is
# imported if it is installed, and the device it sees recorded; a torch that fails to import
# stops the run there, with its own error, instead of in the middle of the notebook.
_PROBE_REMOTE = f"""
def _tilbook_probe():
    import json, traceback
    found = {{}}
    try:
        import torch
    except ModuleNotFoundError:
        torch = None
    except BaseException:
        torch = None
        found["torch_error"] = traceback.format_exc()[-2000:]
{_DEVICE}
    print("{_PROBE_MARK}" + json.dumps(found))
_tilbook_probe(); del _tilbook_probe
"""


class _PreflightFailed(Exception):
    """Inside a remote kernel, before any cell: torch does not import."""


async def _run_cells(client: Any, nb: Any, state: _RunState, cwd: Path) -> None:
    import asyncio

    from jupyter_core.utils import ensure_async

    # the kernel is ours (KernelLaunch), so nbclient is told to shut it down after the run
    async with client.async_setup_kernel(cwd=str(cwd), cleanup_kc=True):
        loop = asyncio.get_running_loop()

        def interrupt() -> None:  # replaces nbclient's handler, which kills the kernel
            state.interrupted = True
            asyncio.ensure_future(client.km.interrupt_kernel())

        try:
            loop.add_signal_handler(signal.SIGINT, interrupt)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            pass
        info = await client.async_wait_for_reply(await ensure_async(client.kc.kernel_info()))
        if info is not None and "language_info" in info["content"]:
            nb.metadata["language_info"] = info["content"]["language_info"]
        await _probe(client, _PROBE_START, state)
        if state.remote:
            await _probe(client, _PROBE_REMOTE, state)
            if state.environment.get("torch_error"):
                raise _PreflightFailed(state.environment.pop("torch_error"))
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            state.start(index, cell.source)
            await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            state.finish(index, cell.source)
        await _probe(client, _PROBE_END, state)
        if state.progress:
            state.progress(CellEvent(state.done, state.total, time.perf_counter() - state.clock))


class _TotalTimeout(Exception):
    """The whole run went past --total-timeout."""


async def _with_deadline(coroutine: Any, seconds: float | None, state: _RunState) -> None:
    import asyncio

    task = asyncio.ensure_future(coroutine)
    if not seconds:
        await task
        return

    def expire() -> None:
        state.expired = True
        task.cancel()

    handle = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        await task
    finally:
        handle.cancel()


async def run_quietly(kc: Any, code: str, *, timeout: float = 60) -> str:
    """Run `code` in the kernel outside any notebook (no history, no cell) and return what it
    printed. It reads the channels itself (no zmq poller), so a remote kernel's websocket
    channels work too; it waits for the reply as well, so later requests find only theirs.
    Raises TimeoutError past `timeout`."""
    from queue import Empty

    from jupyter_core.utils import ensure_async

    texts: list[str] = []
    msg_id = kc.execute(code, store_history=False, allow_stdin=False)
    deadline = time.monotonic() + timeout
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer within {timeout:g} s")
        try:
            msg = await ensure_async(kc.iopub_channel.get_msg(timeout=1))
        except Empty:
            continue
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg.get("msg_type") == "stream":
            texts.append(msg["content"].get("text", ""))
        elif msg.get("msg_type") == "status" and msg["content"].get("execution_state") == "idle":
            break
    while time.monotonic() < deadline:
        reply = await ensure_async(kc.shell_channel.get_msg(timeout=max(0.1, deadline - time.monotonic())))
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            break
    return "".join(texts)


async def _probe(client: Any, code: str, state: _RunState) -> None:
    """Run `code` beside the notebook and keep what it reports."""
    try:
        text = await run_quietly(client.kc, code)
    except Exception:  # a probe never fails a run; the record just knows less
        return
    for line in text.splitlines():
        if line.startswith(_PROBE_MARK):
            try:
                state.environment.update(json.loads(line[len(_PROBE_MARK):]))
            except ValueError:
                pass


# --- after the run ---------------------------------------------------------------------------


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


def _renumber(nb: Any) -> None:
    """In[1], In[2]... over the cells that ran (the probes ran without history, but a kernel
    may still count them)."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.execution_count is not None:
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = count


def _error_details(nb: Any, state: _RunState, status: Status, failure: Exception | None,
                   total_timeout: float | None, cell_timeout: float | None) -> dict[str, Any]:
    index = state.current
    cell = nb.cells[index] if index is not None and index < len(nb.cells) else None
    ename, evalue, traceback = type(failure).__name__ if failure else status, str(failure or ""), []
    if cell is not None:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                ename, evalue, traceback = output["ename"], output["evalue"], list(output["traceback"])
    if status == "timeout":
        from nbclient.exceptions import CellTimeoutError

        per_cell = isinstance(failure, CellTimeoutError)
        limit = (f"the {cell_timeout:g} s limit per cell" if per_cell and cell_timeout else
                 f"the {total_timeout:g} s limit for the whole run" if total_timeout and not per_cell else "a time limit")
        ename, evalue = "Timeout", f"stopped after {limit}"
    elif isinstance(failure, _PreflightFailed):
        lines = [line for line in str(failure).strip().splitlines() if line.strip()]
        ename, evalue = "Preflight", "torch does not import in this kernel: " + (lines[-1].strip() if lines else "?")
        traceback = str(failure).splitlines()
    elif status == "dead" and isinstance(failure, KernelStartError):
        ename, evalue = "KernelStart", str(failure)
    elif status == "dead":
        ename, evalue = "DeadKernel", "the kernel died (out of memory, a crash in native code, or os._exit)"
    elif status == "interrupted":
        ename, evalue = "KeyboardInterrupt", "interrupted (Ctrl-C)"
    number = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code") if index is not None else None
    source = cell.source if cell is not None else ""
    return {
        "cell": index,
        "code_cell": number,
        "source": "\n".join(source.splitlines()[:6]),
        "ename": ename,
        "evalue": evalue,
        "traceback": traceback,
        "traceback_text": strip_ansi("\n".join(traceback)) if traceback else None,
    }


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """Terminal colour and cursor codes removed (kernels colour their tracebacks)."""
    return _ANSI.sub("", text)


def _error_message(error: Mapping[str, Any], status: Status) -> str:
    where = f"code cell {error['code_cell']}" if error.get("code_cell") else "starting the kernel"
    first = _first_line(error.get("source") or "")
    return f"{where}{f' ({first})' if first else ''}: {error['ename']}: {error['evalue']}"


def _error_hint(status: Status, error: Mapping[str, Any], kernel: Kernel) -> str:
    if error.get("ename") == "Preflight":
        return f"no cell ran; `tilbook doctor --kernel {kernel.name}` explains it (the NumPy 1.x/2.x break, a broken install)"
    if error.get("ename") == "KernelStart":
        return (f"check the kernel's environment: `{kernel.interpreter} -m ipykernel --version` must work "
                f"(install it with `{kernel.interpreter} -m pip install ipykernel`); `tilbook doctor` checks more")
    return {
        "error": "the partial notebook is saved with a banner at the failed cell; fix the cell and run again",
        "timeout": "raise --timeout (seconds per cell) or --total-timeout, or run a smaller --profile",
        "dead": "the kernel process exited: check memory (a smaller batch_size or --profile smoke) and the kernel's "
                "environment (`tilbook doctor`)",
    }.get(status, "")


def _drop_error_cells(nb: Any) -> None:
    nb.cells = [c for c in nb.cells if ERROR_TAG not in c.metadata.get("tags", [])]


def _add_error_banner(nb: Any, error: Mapping[str, Any]) -> None:
    """papermill's pattern: a banner at the top linking to a marker just before the cell
    that stopped the run; both are removed by the next run."""
    import nbformat

    where = f"code cell {error['code_cell']}" if error.get("code_cell") else "the start"
    top = nbformat.v4.new_markdown_cell(
        f'<span style="color:#b00020;font-weight:bold">Execution stopped at {where}: {error["ename"]}: '
        f"{_html_escape(str(error['evalue']))}</span> [Go to that cell](#tilbook-error-cell). "
        "The cells after it did not run.",
        metadata={"tags": [ERROR_TAG]})
    top.id = "tilbook-error-banner"
    marker = nbformat.v4.new_markdown_cell('<span id="tilbook-error-cell"></span>**The run stopped in the next cell.**',
                                          metadata={"tags": [ERROR_TAG]})
    marker.id = "tilbook-error-cell"
    if error.get("cell") is not None:
        nb.cells.insert(error["cell"], marker)
    nb.cells.insert(0, top)


def _html_escape(text: str) -> str:
    import html

    return html.escape(text[:300])


def _metrics(nb: Any) -> dict[str, Any] | None:
    found = None
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data") or {}
            if METRICS_MIME in data:
                found = dict(data[METRICS_MIME])
    return found


def _write_figures(nb: Any, folder: Path) -> tuple[str, ...]:
    """Every PNG output as `figures/cell-I-N.png` (I the cell's position, N its image count)."""
    target = folder / FIGURES_FOLDER
    shutil.rmtree(target, ignore_errors=True)
    written = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        n = 0
        for output in cell.outputs:
            png = (output.get("data") or {}).get("image/png")
            if not png:
                continue
            n += 1
            target.mkdir(parents=True, exist_ok=True)
            name = f"cell-{index}-{n}.png"
            (target / name).write_bytes(base64.b64decode(png))
            written.append(f"{FIGURES_FOLDER}/{name}")
    return tuple(written)


def _write_outputs(nb: Any, record: ExecutedNotebook, folder: Path, name: str) -> None:
    from tilbook.files import write_atomic
    from tilbook.notebooks.render import notebook_bytes

    for path, data in ((folder / f"{name}.ipynb", notebook_bytes(nb)), (folder / RECORD_NAME, record.to_json().encode())):
        write_atomic(path, data)
