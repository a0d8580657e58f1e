"""`tilbook notebook run` on a real ipykernel: success, failure, hang, a killed kernel, and
kernelspecs that are missing or point at a deleted environment."""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from tests.conftest import make_workspace
from tilbook.errors import ExecutionError
from tilbook.notebooks.execute import INJECTED_TAG, inject_parameters, resolve_kernel

# A 1x1 PNG, so a figure comes out without matplotlib.
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def notebook(*sources: str, parameters: str = "steps = 2\nname = 'x'") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# a test notebook"))
    nb.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    nb.cells.extend(nbformat.v4.new_code_cell(s) for s in sources)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write(tmp_path, nb) -> str:
    path = tmp_path / "work.ipynb"
    nbformat.write(nb, path)
    return str(path)


def test_success_writes_the_notebook_record_and_figures(tmp_path, run):
    make_workspace(tmp_path, {})
    path = write(tmp_path, notebook(
        "import base64\nfrom IPython.display import Image, display\n"
        f"display(Image(data=base64.b64decode('{PNG}')))\nprint('steps', steps, name)",
        "display({'application/vnd.tilbook.metrics+json': {'score': steps * 2, 'fallbacks': ['tiny data']},"
        " 'text/plain': 'metrics'}, raw=True)",
    ))
    result = run(tmp_path, "notebook", "run", path, "-p", "steps=5", "-o", str(tmp_path / "out"), "--json")
    assert result.code == 0, result.err
    record = json.loads(result.out[result.out.index("{"):])
    assert record["status"] == "ok" and record["parameters"] == {"steps": 5}
    assert record["metrics"] == {"score": 10, "fallbacks": ["tiny data"]} and record["fallbacks"] == ["tiny data"]
    assert record["environment"]["executable"] == record["interpreter"]
    assert record["environment"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert record["figures"] == ["figures/cell-3-1.png"] and (tmp_path / "out/figures/cell-3-1.png").stat().st_size > 0
    assert [c["first_line"] for c in record["cells"]] == ["steps = 2", "# Parameters injected by tilbook",
                                                         "import base64", "display({'application/vnd.tilbook.metrics+json': {'score': steps * 2, 'fallbacks': ['tiny data']}, 'text/plain': 'metrics'}, raw=True)"[:80]]
    assert json.loads((tmp_path / "out/run.json").read_text(encoding="utf-8")) == record
    executed = nbformat.read(tmp_path / "out/work.ipynb", as_version=4)
    nbformat.validate(executed)
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == [1, 2, 3, 4]
    assert "steps 5 x" in executed.cells[3].outputs[-1].text  # the injected value won
    # Running the result again replaces the injected cell instead of adding a second one.
    again = run(tmp_path, "notebook", "run", str(tmp_path / "out/work.ipynb"), "-p", "steps=7", "-o", str(tmp_path / "out"))
    assert again.code == 0, again.err
    rerun = nbformat.read(tmp_path / "out/work.ipynb", as_version=4)
    injected = [c for c in rerun.cells if INJECTED_TAG in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "steps = 7" in injected[0].source


def test_a_failing_cell_saves_the_partial_notebook_with_a_banner(tmp_path, run):
    make_workspace(tmp_path, {})
    path = write(tmp_path, notebook("print('before')", "values = [1, 2]\nvalues[5]", "print('never')"))
    result = run(tmp_path, "notebook", "run", path, "-o", str(tmp_path / "out"))
    assert result.code == 1
    assert "code cell 3 (values = [1, 2]): IndexError: list index out of range" in result.err
    assert "values[5]" in result.err  # the traceback is shown
    partial = nbformat.read(tmp_path / "out/work.ipynb", as_version=4)
    assert partial.cells[0].id == "tilbook-error-banner" and "#tilbook-error-cell" in partial.cells[0].source
    marker = next(i for i, c in enumerate(partial.cells) if c.id == "tilbook-error-cell")
    assert partial.cells[marker + 1].source.startswith("values = [1, 2]")
    assert partial.cells[marker - 1].outputs[0].text == "before\n"  # output before the failure kept
    assert partial.cells[-1].outputs == []  # the cell after it did not run
    record = json.loads((tmp_path / "out/run.json").read_text(encoding="utf-8"))
    assert record["status"] == "error" and record["error"]["ename"] == "IndexError"
    # A later successful run removes the banner.
    nb = nbformat.read(tmp_path / "out/work.ipynb", as_version=4)
    nb.cells[marker + 1].source = "values = [1, 2]"
    nbformat.write(nb, tmp_path / "fixed.ipynb")
    assert run(tmp_path, "notebook", "run", str(tmp_path / "fixed.ipynb"), "-o", str(tmp_path / "out2")).code == 0
    assert not [c for c in nbformat.read(tmp_path / "out2/fixed.ipynb", as_version=4).cells if c.id.startswith("tilbook-error")]


def test_a_hung_cell_stops_at_its_timeout(tmp_path, run):
    make_workspace(tmp_path, {})
    path = write(tmp_path, notebook("import time\ntime.sleep(120)"))
    start = time.monotonic()
    result = run(tmp_path, "notebook", "run", path, "--timeout", "3", "-o", str(tmp_path / "out"))
    assert result.code == 1 and time.monotonic() - start < 40
    assert "Timeout: stopped after the 3 s limit per cell" in result.err
    assert json.loads((tmp_path / "out/run.json").read_text(encoding="utf-8"))["status"] == "timeout"
    start = time.monotonic()
    whole = run(tmp_path, "notebook", "run", path, "--total-timeout", "6", "-o", str(tmp_path / "out"))
    assert whole.code == 1 and time.monotonic() - start < 40
    assert "Timeout: stopped after the 6 s limit for the whole run" in whole.err


def test_a_killed_kernel_is_reported_within_seconds(tmp_path, run):
    make_workspace(tmp_path, {})
    path = write(tmp_path, notebook("print('alive')", "import os\nos._exit(1)", "print('never')"))
    start = time.monotonic()
    result = run(tmp_path, "notebook", "run", path, "-o", str(tmp_path / "out"))
    elapsed = time.monotonic() - start
    assert result.code == 1 and "DeadKernel: the kernel died" in result.err
    assert elapsed < 30  # kernel start (a few s) + detection (nbclient polls every second)
    record = json.loads((tmp_path / "out/run.json").read_text(encoding="utf-8"))
    assert record["status"] == "dead" and record["error"]["code_cell"] == 3


def test_a_kernel_that_dies_while_starting_is_an_error_not_a_crash(tmp_path, monkeypatch, run):
    """The usual cause: an environment without ipykernel. Its own message reaches the
    terminal; tilbook says the kernel never started and how to check its environment."""
    make_workspace(tmp_path, {})
    broken = tmp_path / "jupyter" / "kernels" / "broken"
    broken.mkdir(parents=True)
    (broken / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", "import sys; sys.exit(3)", "{connection_file}"],
        "display_name": "broken", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    path = write(tmp_path, notebook("print(1)"))
    start = time.monotonic()
    result = run(tmp_path, "notebook", "run", path, "--kernel", "broken", "-o", str(tmp_path / "out"))
    assert result.code == 1 and time.monotonic() - start < 20
    assert "starting the kernel: KernelStart: the kernel exited before it was ready (exit code 3)" in result.err
    assert f"{sys.executable} -m pip install ipykernel" in result.err
    record = json.loads((tmp_path / "out/run.json").read_text(encoding="utf-8"))
    assert record["status"] == "dead" and record["error"]["code_cell"] is None


def test_missing_and_dead_kernelspecs_say_how_to_fix_them(tmp_path, monkeypatch, run):
    make_workspace(tmp_path, {})
    ghost = tmp_path / "jupyter" / "kernels" / "ghost"
    ghost.mkdir(parents=True)
    (ghost / "kernel.json").write_text(json.dumps({
        "argv": [str(tmp_path / "envs/deleted/bin/python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "ghost", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    with pytest.raises(ExecutionError) as info:
        resolve_kernel("ghost")
    problem = info.value.problem
    assert problem.path == str(ghost / "kernel.json") and problem.key == "argv"
    assert "does not exist" in problem.message and "ipykernel install --user --name ghost" in problem.hint
    path = write(tmp_path, notebook("print(1)"))
    result = run(tmp_path, "notebook", "run", path, "--kernel", "nosuch")
    assert result.code == 1 and "no Jupyter kernel named 'nosuch'" in result.err and "ghost" in result.err
    assert "jupyter kernelspec list" in result.err
    assert not (tmp_path / "_freeze").exists()  # nothing ran, nothing written


def test_the_builtin_python3_kernel_is_this_interpreter():
    assert resolve_kernel("python3").interpreter == sys.executable


def test_inject_parameters_goes_after_the_parameters_cell():
    nb = notebook("print(steps)")
    inject_parameters(nb, {"steps": 3})
    inject_parameters(nb, {"steps": 4, "name": "y"})
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert tags[1] == ["parameters"] and tags[2] == [INJECTED_TAG] and sum(INJECTED_TAG in t for t in tags) == 1
    assert nb.cells[2].source.splitlines()[1:] == ["steps = 4", "name = 'y'"]
    inject_parameters(nb, {})
    assert not any(INJECTED_TAG in c.metadata.get("tags", []) for c in nb.cells)


def test_an_unchanged_notebook_is_not_run_again(tmp_path, monkeypatch, run):
    """Kernel starts are counted: the same code and parameters reuse the frozen run; a
    changed parameter, changed code or --refresh run again; prose does not."""
    import tilbook.notebooks.execute as execute

    starts = []
    real = execute._run_cells
    monkeypatch.setattr(execute, "_run_cells", lambda *a, **k: starts.append(1) or real(*a, **k))
    make_workspace(tmp_path, {})
    path = write(tmp_path, notebook("print(steps)"))
    out = ["-o", str(tmp_path / "frozen")]
    assert run(tmp_path, "notebook", "run", path, "-p", "steps=3", *out).code == 0 and len(starts) == 1
    again = run(tmp_path, "notebook", "run", path, "-p", "steps=3", *out)
    assert again.code == 0 and len(starts) == 1 and "up to date" in again.err
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# new prose, same code"
    nbformat.write(nb, path)
    assert run(tmp_path, "notebook", "run", path, "-p", "steps=3", *out).code == 0 and len(starts) == 1
    assert run(tmp_path, "notebook", "run", path, "-p", "steps=4", *out).code == 0 and len(starts) == 2
    assert run(tmp_path, "notebook", "run", path, "-p", "steps=4", "--refresh", *out).code == 0 and len(starts) == 3
    nb.cells[2].source = "print(steps * 2)"
    nbformat.write(nb, path)
    assert run(tmp_path, "notebook", "run", path, "-p", "steps=4", *out).code == 0 and len(starts) == 4
    record = json.loads((tmp_path / "frozen/run.json").read_text(encoding="utf-8"))
    assert record["key"] == execute.freeze_key(nb, {"steps": 4}, "python3")


def test_several_notebooks_run_in_parallel(tmp_path, run, monkeypatch, request):
    """-j runs them at once, over IPC sockets on POSIX (no TCP ports to race for), and
    leaves no socket folder behind. (In a temp folder of its own, with a short path as
    sockets need: the machine's is shared with whatever else runs kernels meanwhile,
    another test run's among them.)"""
    own = tempfile.mkdtemp(prefix="t")
    request.addfinalizer(lambda: shutil.rmtree(own, ignore_errors=True))
    monkeypatch.setattr(tempfile, "tempdir", own)
    make_workspace(tmp_path, {})
    transport = "import json\nfrom ipykernel.connect import get_connection_info\n" \
                "print(json.loads(get_connection_info())['transport'])"
    for name in ("one", "two", "three"):
        nbformat.write(notebook(f"import time\ntime.sleep(1)\nprint('{name}', steps)", transport),
                       tmp_path / f"{name}.ipynb")
    sockets = set(Path(tempfile.gettempdir()).glob("tilbook-kernel-*"))
    result = run(tmp_path, "notebook", "run", "one.ipynb", "./two.ipynb", str(tmp_path / "three.ipynb"), "-j", "3", "--json")
    assert result.code == 0, result.err
    records = json.loads(result.out[result.out.index("["):])
    assert [r["status"] for r in records] == ["ok", "ok", "ok"]
    for name in ("one", "two", "three"):
        out = nbformat.read(tmp_path / "_freeze" / name / f"{name}.ipynb", as_version=4)
        assert out.cells[-2].outputs[0].text == f"{name} 2\n"
        assert out.cells[-1].outputs[0].text == ("ipc\n" if os.name == "posix" else "tcp\n")
    assert set(Path(tempfile.gettempdir()).glob("tilbook-kernel-*")) == sockets


def test_verbose_echoes_the_cells_output_as_it_comes(tmp_path, run):
    make_workspace(tmp_path, {})
    path = write(tmp_path, notebook("import sys\nprint('hello from the kernel')\nsys.stderr.write('50%|#####')"))
    result = run(tmp_path, "notebook", "run", path, "-v", "-o", str(tmp_path / "out"))
    assert result.code == 0
    assert "hello from the kernel" in result.err and "50%|#####" in result.err
    assert "cell 2/2 import sys" in result.err  # and a line per cell
    quiet = run(tmp_path, "notebook", "run", path, "--refresh", "-o", str(tmp_path / "out"))
    assert "hello from the kernel" not in quiet.err


def test_ctrl_c_interrupts_the_kernel_saves_the_partial_notebook_and_exits_130(tmp_path):
    import signal
    import subprocess

    make_workspace(tmp_path, {})
    path = write(tmp_path, notebook("print('first', flush=True)", "import time\nprint('started', flush=True)\n"
                                    "time.sleep(60)", "print('never')"))
    proc = subprocess.Popen([sys.executable, "-m", "tilbook", "notebook", "run", path, "-v", "-o", str(tmp_path / "out")],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ""
    deadline = time.monotonic() + 60
    while "started" not in seen and time.monotonic() < deadline:  # -v echoes the cell's output as it comes
        seen += proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, seen + err
    assert time.monotonic() - start < 10  # the kernel was interrupted, not waited for
    record = json.loads((tmp_path / "out/run.json").read_text(encoding="utf-8"))
    assert record["status"] == "interrupted" and record["error"]["code_cell"] == 3
    saved = nbformat.read(tmp_path / "out/work.ipynb", as_version=4)
    assert saved.cells[0].metadata["tags"] == ["tilbook-error"]  # the banner
    assert any(o.get("text") == "first\n" for c in saved.cells for o in c.get("outputs", []))


def test_a_slow_kernels_late_kernel_info_reply_counts_as_ready():
    """A kernel busy starting (-j on a loaded machine) answers the first kernel_info after
    the second was sent; waiting for the newest request's own reply never ended."""
    import asyncio
    from queue import Empty

    from tilbook.notebooks.execute import _wait_for_ready

    class Channel:
        def __init__(self, *replies):
            self.replies = list(replies)  # None: nothing arrives within the wait

        async def get_msg(self, timeout=None):
            reply = self.replies.pop(0) if self.replies else None
            if reply is None:
                raise Empty
            return reply

    class Client:
        def __init__(self):
            self.sent: list[str] = []
            self.shell_channel = Channel(None, {"msg_type": "kernel_info_reply", "parent_header": {"msg_id": "req-0"}})
            self.iopub_channel = Channel({"msg_type": "status"})

        def kernel_info(self):
            self.sent.append(f"req-{len(self.sent)}")
            return self.sent[-1]

        def _handle_kernel_info_reply(self, msg):
            self.handled = msg

    class Manager:
        async def is_alive(self):
            return True

    client = Client()
    start = time.monotonic()
    asyncio.run(_wait_for_ready(client, Manager(), timeout=5))
    assert client.sent == ["req-0", "req-1"] and client.handled["parent_header"]["msg_id"] == "req-0"
    assert time.monotonic() - start < 2


def test_a_run_of_one_stream_is_kept_as_one_output_in_order(tmp_path, run):
    """A print flushed in pieces is one output, as Jupyter shows it; stderr and a figure
    between two prints keep their places."""
    make_workspace(tmp_path, {})
    path = write(tmp_path, notebook(
        "import base64, sys, time\nfrom IPython.display import Image, display\n"
        "print('a', end='', flush=True)\ntime.sleep(0.3)\nprint('b', flush=True)\ntime.sleep(0.3)\n"
        "print('c', flush=True)\nprint('oops', file=sys.stderr, flush=True)\ntime.sleep(0.3)\nprint('d', flush=True)\n"
        f"display(Image(data=base64.b64decode('{PNG}')))\nprint('e')",
    ))
    result = run(tmp_path, "notebook", "run", path, "-o", str(tmp_path / "out"))
    assert result.code == 0, result.err
    outputs = nbformat.read(tmp_path / "out/work.ipynb", as_version=4).cells[-1].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", "ab\nc\n"), ("stream", "stderr", "oops\n"), ("stream", "stdout", "d\n"),
        ("display_data", None, None), ("stream", "stdout", "e\n")]
