"""Notebooks on a real Jupyter Server with token auth, started by the test: the run, its
record, a wrong token, an unreachable server, a server killed mid-run, and no token left in
anything written."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from tests.conftest import make_workspace
from tilbook.errors import ConfigError

TOKEN = "tk-" + os.urandom(12).hex()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root, port, *auth):
    auth = auth or (f"--ServerApp.token={TOKEN}",)
    args = [sys.executable, "-m", "jupyter_server", *auth, f"--port={port}", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=root)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("jupyter server did not start")


@pytest.fixture()
def server(tmp_path):
    port = free_port()
    (tmp_path / "server-root").mkdir()
    proc = start_server(tmp_path / "server-root", port)
    yield port, proc
    proc.kill()
    proc.wait()


def workspace(tmp_path, port, monkeypatch, token=TOKEN):
    monkeypatch.setenv("DESK_TOKEN", token)
    make_workspace(tmp_path, {}, config=f"site_name: x\ntilbook:\n  remotes:\n    desktop:\n      url: http://127.0.0.1:{port}\n"
                                        "      token_env: DESK_TOKEN\n")
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("steps = 2", metadata={"tags": ["parameters"]}))
    nb.cells.append(nbformat.v4.new_code_cell("import os\nprint('ran', steps, os.getpid())"))
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "nb.ipynb")
    return tmp_path / "nb.ipynb"


def test_a_notebook_runs_on_the_remote_with_its_record_and_no_token_anywhere(tmp_path, server, monkeypatch, run):
    port, _ = server
    path = workspace(tmp_path, port, monkeypatch)
    result = run(tmp_path, "notebook", "run", str(path), "--kernel", "desktop", "-p", "steps=7", "-o",
                 str(tmp_path / "out"), "--json")
    assert result.code == 0, result.err
    record = json.loads(result.out[result.out.index("{"):])
    assert record["status"] == "ok" and record["kernel"] == "desktop"
    assert record["environment"]["server"] == f"http://127.0.0.1:{port}" and record["environment"]["host"]
    assert record["environment"]["python"] and record["parameters"] == {"steps": 7}
    out = nbformat.read(tmp_path / "out/nb.ipynb", as_version=4)
    assert out.cells[-1].outputs[0].text.startswith("ran 7 ")
    assert int(out.cells[-1].outputs[0].text.split()[2]) != os.getpid()  # another process ran it
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert written and not any(TOKEN.encode() in p.read_bytes() for p in written)
    assert TOKEN not in result.out + result.err


def test_a_wrong_token_fails_fast_and_says_where_the_token_comes_from(tmp_path, server, monkeypatch, run):
    port, _ = server
    path = workspace(tmp_path, port, monkeypatch, token="not-the-token")
    start = time.monotonic()
    result = run(tmp_path, "notebook", "run", str(path), "--kernel", "desktop", "-o", str(tmp_path / "out"))
    assert result.code == 1 and time.monotonic() - start < 10
    assert "refused the token (HTTP 403)" in result.err and "DESK_TOKEN" in result.err
    assert not (tmp_path / "out").exists()


def test_an_unreachable_server_and_a_missing_token_variable(tmp_path, monkeypatch, run):
    path = workspace(tmp_path, free_port(), monkeypatch)
    result = run(tmp_path, "notebook", "run", str(path), "--kernel", "desktop")
    assert result.code == 1 and "cannot reach the Jupyter Server at http://127.0.0.1:" in result.err
    assert "SSH tunnel" in result.err
    monkeypatch.delenv("DESK_TOKEN")
    result = run(tmp_path, "notebook", "run", str(path), "--kernel", "desktop")
    assert result.code == 1 and "the environment variable DESK_TOKEN is not set" in result.err


def test_a_token_written_in_the_config_is_refused(tmp_path):
    with pytest.raises(ConfigError) as info:
        make_workspace(tmp_path, {}, config="site_name: x\ntilbook:\n  remotes:\n    desktop:\n"
                                            "      url: http://127.0.0.1:8888\n      token: abc123\n")
    assert "mkdocs.yml:6: tilbook.remotes.desktop.token: a token must not be written in mkdocs.yml" in str(info.value)
    assert "abc123" not in str(info.value)


def test_the_server_killed_mid_run_is_a_clear_error_with_the_partial_notebook(tmp_path, server, monkeypatch):
    port, proc = server
    path = workspace(tmp_path, port, monkeypatch)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import time\nprint('sleeping', flush=True)\ntime.sleep(120)"))
    nbformat.write(nb, path)
    run = subprocess.Popen([sys.executable, "-m", "tilbook", "notebook", "run", str(path), "--kernel", "desktop", "-v",
                            "-o", str(tmp_path / "out")], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, "DESK_TOKEN": TOKEN})
    seen = ""
    deadline = time.monotonic() + 60
    while "sleeping" not in seen and time.monotonic() < deadline:
        seen += run.stderr.readline()
    proc.kill()
    start = time.monotonic()
    out, err = run.communicate(timeout=60)
    took = time.monotonic() - start
    assert run.returncode == 1, seen + err
    assert took < 30, took
    assert (tmp_path / "out/run.json").is_file(), err[-3000:]
    record = json.loads((tmp_path / "out/run.json").read_text(encoding="utf-8"))
    assert record["status"] in ("dead", "error") and record["error"]["code_cell"] == 3
    saved = nbformat.read(tmp_path / "out/nb.ipynb", as_version=4)
    assert any("ran 2" in o.get("text", "") for c in saved.cells for o in c.get("outputs", []))
    assert TOKEN not in out + err


def test_a_password_only_server_logs_in_as_a_browser_does(tmp_path, monkeypatch, run):
    from jupyter_server.auth import passwd

    password = "pw-" + os.urandom(6).hex() + "-밤"
    port = free_port()
    (tmp_path / "server-root").mkdir()
    proc = start_server(tmp_path / "server-root", port, f"--PasswordIdentityProvider.hashed_password={passwd(password)}",
                        "--IdentityProvider.token=")
    try:
        path = workspace(tmp_path, port, monkeypatch)
        config = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8").replace("token_env: DESK_TOKEN", "password_env: DESK_PW")
        (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
        monkeypatch.setenv("DESK_PW", "wrong")
        refused = run(tmp_path, "notebook", "run", str(path), "--kernel", "desktop", "-o", str(tmp_path / "out"))
        assert refused.code == 1 and "refused the password" in refused.err and "DESK_PW" in refused.err
        monkeypatch.setenv("DESK_PW", password)
        result = run(tmp_path, "notebook", "run", str(path), "--kernel", "desktop", "-p", "steps=5", "-o",
                     str(tmp_path / "out"))
        assert result.code == 0, result.err
        out = nbformat.read(tmp_path / "out/nb.ipynb", as_version=4)
        assert out.cells[-1].outputs[0].text.startswith("ran 5 ")
        written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
        assert not any(password.encode() in p.read_bytes() for p in written)
    finally:
        proc.kill()
        proc.wait()


def test_the_autoencoder_smoke_run_on_the_remote_matches_a_local_run(tmp_path, server, monkeypatch, run):
    from tests.conftest import REPO

    port, _ = server
    monkeypatch.setenv("DESK_TOKEN", TOKEN)
    make_workspace(tmp_path, {}, config=f"site_name: x\ntilbook:\n  notebooks_dir: {REPO / 'notebooks_src'}\n"
                                        f"  remotes:\n    desktop:\n      url: http://127.0.0.1:{port}\n"
                                        "      token_env: DESK_TOKEN\n")
    local = run(tmp_path, "notebook", "run", "autoencoder", "--profile", "smoke", "-o", str(tmp_path / "local"), "--json")
    assert local.code == 0, local.err
    remote = run(tmp_path, "notebook", "run", "autoencoder", "--profile", "smoke", "--kernel", "desktop",
                 "-o", str(tmp_path / "remote"), "--json")
    assert remote.code == 0, remote.err
    here, there = (json.loads(r.out[r.out.index("{"):]) for r in (local, remote))
    assert here["key"] != there["key"]  # the kernel is part of the freeze key
    assert here["parameters"] == there["parameters"] and here["template"] == there["template"]
    assert set(here["metrics"]) == set(there["metrics"])
    for name, value in here["metrics"].items():  # same seed, same machine: the same learning
        if isinstance(value, float) and not name.endswith("seconds"):
            assert there["metrics"][name] == pytest.approx(value, rel=1e-3, abs=1e-6), name
    assert there["environment"]["server"] == f"http://127.0.0.1:{port}" and "server" not in here["environment"]
    assert len(there["figures"]) == len(here["figures"]) > 0
    assert not any(TOKEN.encode() in p.read_bytes() for p in (tmp_path / "remote").rglob("*") if p.is_file())


def test_remote_config_errors_name_their_key_and_line(tmp_path):
    with pytest.raises(ConfigError) as info:
        make_workspace(tmp_path, {}, config="site_name: x\ntilbook:\n  remotes:\n    desktop:\n      url: desktop:8888\n"
                                            "      token_env: T\n    laptop:\n      url: http://127.0.0.1:1\n")
    text = str(info.value)
    assert "mkdocs.yml:5: tilbook.remotes.desktop.url: expected an http(s):// address" in text
    assert "tilbook.remotes.laptop: no token_env, token_file, password_env or password_file" in text


def test_doctor_looks_inside_a_remote_kernel_and_reports_an_unreachable_one(tmp_path, server, monkeypatch, run):
    port, _ = server
    workspace(tmp_path, port, monkeypatch)
    result = run(tmp_path, "doctor", "--kernel", "desktop", "--json")
    assert result.code == 0, result.out
    found = json.loads(result.out)
    assert found["kernels"]["desktop"]["python"] and "nvidia_smi" in found["kernels"]["desktop"]
    assert any("answers, accepts the credentials" in f["message"] for f in found["findings"])
    assert TOKEN not in result.out + result.err
    workspace(tmp_path, free_port(), monkeypatch)
    gone = run(tmp_path, "doctor", "--kernel", "desktop")
    assert gone.code == 1 and "[FAIL] kernel desktop: cannot reach the Jupyter Server" in gone.out


def test_a_remote_kernel_whose_torch_is_broken_stops_before_any_cell(tmp_path, monkeypatch, run):
    fake = tmp_path / "fake-packages" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('numpy.core.multiarray failed to import')\n", encoding="utf-8")
    spec = tmp_path / "jp" / "kernels" / "gpu"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "gpu",
        "language": "python", "env": {"PYTHONPATH": str(tmp_path / "fake-packages")}}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jp"))  # the server's kernelspecs
    port = free_port()
    (tmp_path / "server-root").mkdir()
    proc = start_server(tmp_path / "server-root", port)
    try:
        path = workspace(tmp_path, port, monkeypatch)
        config = (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") + "      kernel: gpu\n"
        (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
        result = run(tmp_path, "notebook", "run", str(path), "--kernel", "desktop", "-o", str(tmp_path / "out"))
        assert result.code == 1
        assert "Preflight: torch does not import in this kernel: ImportError: numpy.core.multiarray failed" in result.err
        assert "tilbook doctor --kernel desktop" in result.err
        out = nbformat.read(tmp_path / "out/nb.ipynb", as_version=4)
        assert not any(c.get("outputs") for c in out.cells if c.cell_type == "code")  # no cell ran
    finally:
        proc.kill()
        proc.wait()
