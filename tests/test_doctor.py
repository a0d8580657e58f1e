"""`tilbook doctor` on broken environments built here: a deleted interpreter, an env
without torch, the NumPy ABI break, unsafe and ignored Jupyter settings, CUDA mismatches."""

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, make_workspace
from tilbook.doctor import Report, _check_cuda, _check_jupyter_configs


@pytest.fixture()
def jupyter(tmp_path, monkeypatch):
    """Kernelspecs and Jupyter config of this test only."""
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter-config"))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path / "jupyter-config"))
    (tmp_path / "jupyter-config").mkdir()

    def kernelspec(name, argv, env=None):
        folder = tmp_path / "jupyter" / "kernels" / name
        folder.mkdir(parents=True)
        spec = {"argv": argv, "display_name": name, "language": "python", **({"env": env} if env else {})}
        (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        return folder

    return kernelspec


def test_a_healthy_setup_exits_0(tmp_path, jupyter, run):
    make_workspace(tmp_path, {})
    result = run(tmp_path, "doctor")
    assert result.code == 0, result.out
    assert "[ok  ] kernel python3: runs " in result.out and "NumPy " in result.out
    assert result.out.rstrip().endswith("healthy")


def test_a_kernelspec_whose_interpreter_was_deleted(tmp_path, jupyter, run):
    make_workspace(tmp_path, {})
    folder = jupyter("old-env", [str(tmp_path / "envs/old/bin/python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    result = run(tmp_path, "doctor", "--kernel", "old-env")
    assert result.code == 1
    assert "[FAIL] kernel old-env: kernel 'old-env' runs" in result.out and "does not exist" in result.out
    assert str(folder / "kernel.json") in result.out and "ipykernel install --user --name old-env" in result.out


def test_an_env_without_torch_or_the_templates_packages(tmp_path, jupyter, run):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    python = str(tmp_path / "bare/bin/python")
    jupyter("bare", [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    config = f"site_name: x\ntilbook:\n  notebooks_dir: {REPO / 'notebooks_src'}\n"
    make_workspace(tmp_path, {}, config=config)
    result = run(tmp_path, "doctor", "--kernel", "bare", "--json")
    assert result.code == 1
    found = json.loads(result.out)
    messages = [f["message"] for f in found["findings"] if f["level"] == "problem"]
    assert "torch is not installed in this kernel's environment" in messages
    needs = next(m for m in messages if m.startswith("the notebook templates"))
    assert "autoencoder" in needs and "gan" in needs and "mlxtend" in needs and "torch" in needs
    warning = next(f for f in found["findings"] if f["level"] == "warning" and "environment is" in f["message"])
    assert str(tmp_path / "bare") in warning["message"] and f"{python} -m pip install" in warning["fix"]


def test_the_numpy_abi_break_is_recognised_by_its_text(tmp_path, jupyter, run):
    fake = tmp_path / "fake-packages" / "torch"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise ImportError('A module that was compiled using NumPy 1.x cannot be run in\\n"
        "NumPy 2.0.0 as it may crash. To support both 1.x and 2.x versions of NumPy, modules must be compiled "
        "with NumPy 2.0.')\n", encoding="utf-8")
    jupyter("abi", [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            env={"PYTHONPATH": str(tmp_path / "fake-packages")})
    make_workspace(tmp_path, {})
    result = run(tmp_path, "doctor", "--kernel", "abi")
    assert result.code == 1
    assert "does not fit torch built against another NumPy major version (the NumPy 1.x/2.x ABI break)" in result.out
    assert '-m pip install "numpy<2"' in result.out


def test_unsafe_ignored_and_quoted_jupyter_settings(tmp_path, jupyter, run):
    folder = tmp_path / "jupyter-config"
    (folder / "jupyter_server_config.py").write_text(
        "c = get_config()  # noqa\nc.NotebookApp.open_browser = False\nc.ServerApp.ip = '*'\nc.ServerApp.token = ''\n",
        encoding="utf-8")
    (folder / "jupyter_notebook_config.py").write_text(
        "c.NotebookApp.password = u\"'argon2:$argon2id$v=19$m=10240,t=10,p=8$abc'\"\n", encoding="utf-8")
    make_workspace(tmp_path, {})
    result = run(tmp_path, "doctor")
    assert result.code == 1
    assert "c.NotebookApp.open_browser is ignored by Jupyter Server" in result.out
    assert f"at {folder / 'jupyter_server_config.py'}:2" in result.out
    assert "listens on every interface (ip = '*') with no password and an empty token" in result.out
    assert "c.NotebookApp.password has quotes inside its value" in result.out
    assert f"at {folder / 'jupyter_notebook_config.py'}:1" in result.out


def test_all_interfaces_with_a_token_only_warns_and_with_a_password_passes(tmp_path):
    token_only = tmp_path / "a" / "jupyter_server_config.json"
    token_only.parent.mkdir()
    token_only.write_text(json.dumps({"ServerApp": {"ip": "0.0.0.0", "port": 8888}}), encoding="utf-8")
    with_password = tmp_path / "b" / "jupyter_server_config.py"
    with_password.parent.mkdir()
    with_password.write_text("c.ServerApp.ip = '0.0.0.0'\nc.PasswordIdentityProvider.hashed_password = "
                             "'argon2:$argon2id$v=19$m=10240,t=10,p=8$abc'\n", encoding="utf-8")
    report = Report()
    _check_jupyter_configs(report, [token_only])
    assert [(f.level, f.where) for f in report.findings] == [("warning", str(token_only))]
    assert "guarded only by its token" in report.findings[0].message
    report = Report()
    _check_jupyter_configs(report, [with_password])
    assert report.findings == []


@pytest.mark.parametrize("seen, driver, level, text", [
    ({"torch": "2.3.0+cpu", "torch_cuda": None, "cuda_available": False}, {"driver": "550.54", "cuda": "12.4"},
     "problem", "is a CPU-only build, but this machine has an NVIDIA driver (550.54)"),
    ({"torch": "2.3.0", "torch_cuda": "12.1", "cuda_available": False}, None,
     "warning", "no NVIDIA driver answers"),
    ({"torch": "2.3.0", "torch_cuda": "12.1", "cuda_available": False}, {"driver": "470.82", "cuda": "11.4"},
     "problem", "supports CUDA up to 11.4, older than the CUDA 12.1 torch was built for"),
    ({"torch": "2.3.0", "torch_cuda": "12.1", "cuda_available": True, "devices": ["NVIDIA GeForce RTX 3060"]},
     {"driver": "550.54", "cuda": "12.4"}, "ok", "CUDA 12.1 available: NVIDIA GeForce RTX 3060"),
])
def test_cuda_diagnoses(seen, driver, level, text):
    report = Report()
    _check_cuda(report, "kernel k", seen, driver)
    assert [(f.level, text in f.message) for f in report.findings] == [(level, True)]


def test_jupyter_config_writes_serverapp_settings_and_only_the_hash(tmp_path, monkeypatch, run):
    import io

    from jupyter_server.auth import passwd_check

    make_workspace(tmp_path, {})
    folder = tmp_path / "cfg"
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-밤\n"))
    result = run(tmp_path, "jupyter-config", "--config-dir", str(folder), "--password-stdin", "--port", "8899")
    assert result.code == 0 and result.out.strip() == str(folder / "jupyter_server_config.py")
    text = (folder / "jupyter_server_config.py").read_text(encoding="utf-8")
    assert "s3cret" not in text and "NotebookApp" not in text.split("\n", 3)[3]
    assert "c.ServerApp.ip = '127.0.0.1'" in text and "c.ServerApp.port = 8899" in text
    hashed = text.split("hashed_password = '")[1].split("'")[0]
    assert hashed.startswith("argon2:") and passwd_check(hashed, "s3cret-밤")
    # what doctor checks for passes on what this wrote
    report = Report()
    _check_jupyter_configs(report, [folder / "jupyter_server_config.py"])
    assert report.findings == []
    # never replaced without --force; with it, the old one is kept
    again = run(tmp_path, "jupyter-config", "--config-dir", str(folder), "--no-password")
    assert again.code == 2 and "exists; left untouched" in again.err
    monkeypatch.setattr("sys.stdin", io.StringIO("other\n"))
    forced = run(tmp_path, "jupyter-config", "--config-dir", str(folder), "--password-stdin", "--force")
    assert forced.code == 0 and "kept the old config as" in forced.err
    backups = list(folder.glob("jupyter_server_config.py.bak-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == text


def test_jupyter_config_refuses_all_interfaces_without_a_password_and_warns_without_tls(tmp_path, monkeypatch, run):
    import io

    make_workspace(tmp_path, {})
    folder = tmp_path / "cfg"
    refused = run(tmp_path, "jupyter-config", "--config-dir", str(folder), "--ip", "0.0.0.0", "--no-password")
    assert refused.code == 2 and "refusing to listen on 0.0.0.0 without a password" in refused.err
    assert not folder.exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    open_ = run(tmp_path, "jupyter-config", "--config-dir", str(folder), "--ip", "0.0.0.0", "--password-stdin")
    assert open_.code == 0 and "no TLS" in open_.err
