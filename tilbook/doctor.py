"""`tilbook doctor`: what breaks a learner's evening, found before it does, with the fix.

Three places are inspected:

* **this environment**: the Python that runs tilbook, Pagefind for search;
* **each kernel** (the configured one and any `--kernel`), from inside its own interpreter,
  run with its kernelspec's environment: interpreter path, Python, NumPy, torch (CPU or
  CUDA build), CUDA, the devices torch sees, and the packages the notebook templates need.
  The NVIDIA driver is read from `nvidia-smi`. Known failures are recognised by their text
  (the NumPy 1.x/2.x ABI break above all) and explained;
* **Jupyter's own config** (every `jupyter_server_config` / `jupyter_notebook_config` on
  Jupyter's config path): listening on all interfaces without a password or token,
  `c.NotebookApp` settings that Jupyter Server ignores, a hashed password pasted with
  its quotes. The files are read as text, never run.

Every finding says what is wrong, where, and the fix; `ok` findings say what was checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from tilbook.config.model import Config
from tilbook.errors import TilbookError

Level = Literal["ok", "warning", "problem"]


@dataclass(frozen=True)
class Finding:
    topic: str
    """What was checked: `tilbook`, `kernel python3`, `jupyter config`."""
    level: Level
    message: str
    fix: str | None = None
    where: str | None = None
    """A file (a kernelspec, a config file, with its line) when there is one."""


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    kernels: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What each kernel's interpreter reported about itself."""

    def add(self, topic: str, level: Level, message: str, fix: str | None = None, where: str | None = None) -> None:
        self.findings.append(Finding(topic, level, message, fix, where))

    @property
    def healthy(self) -> bool:
        return not any(f.level == "problem" for f in self.findings)

    def to_json(self) -> str:
        return json.dumps({"healthy": self.healthy, "findings": [asdict(f) for f in self.findings],
                           "kernels": self.kernels}, ensure_ascii=False, indent=1)


# Run inside the kernel's interpreter: what it is and what it can import, as JSON. It must
# not fail: every import is tried, and its error text kept for the diagnosis.
PROBE = r"""
import json, platform, sys, traceback
from importlib import metadata
found = {"executable": sys.executable, "prefix": sys.prefix, "python": platform.python_version(),
         "dists": {}, "errors": {}}
for dist in sys.argv[1:]:
    try:
        found["dists"][dist] = metadata.version(dist)
    except Exception:
        found["dists"][dist] = None
for name in ("numpy", "torch"):
    try:
        module = __import__(name)
        found[name] = getattr(module, "__version__", "?")
    except BaseException:
        found[name] = None
        found["errors"][name] = traceback.format_exc()[-3000:]
torch = sys.modules.get("torch")
if torch is not None and found.get("torch"):
    try:
        found["torch_cuda"] = torch.version.cuda
        found["cuda_available"] = bool(torch.cuda.is_available())
        found["devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if found["cuda_available"] else []
    except BaseException:
        found["errors"]["cuda"] = traceback.format_exc()[-3000:]
print("tilbook-doctor:" + json.dumps(found))
"""

# The NumPy 1.x/2.x ABI break, as its messages read (NumPy's own and the usual import errors).
_NUMPY_ABI = re.compile(
    r"compiled using NumPy 1\.x cannot be run in\s+NumPy 2|_ARRAY_API not found|"
    r"numpy\.core\.multiarray failed to import|numpy\.core\._multiarray_umath failed to import|"
    r"module compiled against (ABI|API) version", re.I)


def diagnose(config: Config, kernels: list[str]) -> Report:
    report = Report()
    _check_tool(report)
    needs = _template_requirements(config)
    driver = nvidia_driver()
    for name in kernels:
        _check_kernel(report, config, name, needs, driver)
    _check_jupyter_configs(report, jupyter_config_files())
    return report


def _check_tool(report: Report) -> None:
    from tilbook import __version__
    from tilbook.site.search import pagefind_binary

    report.add("tilbook", "ok", f"tilbook {__version__} on Python {sys.version.split()[0]} ({sys.executable})")
    if pagefind_binary() is None:
        report.add("tilbook", "warning", "Pagefind is not installed: `tilbook build` cannot make the search index",
                   "pip install 'pagefind[extended]', or set tilbook.search: false")


def _template_requirements(config: Config) -> dict[str, list[str]]:
    """Distribution name → the templates that need it."""
    from tilbook.notebooks.spec import list_specs

    needs: dict[str, list[str]] = {}
    try:
        specs = list_specs(config)
    except TilbookError:
        return needs
    for spec in specs:
        for requirement in spec.requirements:
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
            if match:
                needs.setdefault(match.group(0), []).append(spec.name)
    return needs


def nvidia_driver(out: str | None = "") -> dict[str, str] | None:
    """The driver version and the newest CUDA it supports, from `nvidia-smi` (run here, or
    its output `out` from elsewhere); None if no NVIDIA driver answers."""
    if out == "":
        smi = shutil.which("nvidia-smi")
        if smi is None:
            return None
        try:
            out = subprocess.run([smi], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.TimeoutExpired):
            return None
    if not out:
        return None
    driver = re.search(r"Driver Version:\s*([\d.]+)", out)
    cuda = re.search(r"CUDA Version:\s*([\d.]+)", out)
    if not driver:
        return None
    return {"driver": driver.group(1), "cuda": cuda.group(1) if cuda else ""}


def _version(text: str | None) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text or "")[:2])


def _check_kernel(report: Report, config: Config, name: str, needs: dict[str, list[str]],
                  driver: dict[str, str] | None) -> None:
    from tilbook.errors import ExecutionError
    from tilbook.notebooks.execute import resolve_kernel

    topic = f"kernel {name}"
    try:
        kernel = resolve_kernel(name, config)
    except ExecutionError as exc:
        problem = exc.problem
        report.add(topic, "problem", problem.message, problem.hint, problem.path or problem.key)
        return
    if kernel.remote is not None:
        report.add(topic, "ok", f"{kernel.remote.url} answers, accepts the credentials and has kernel "
                   f"{kernel.remote.kernel!r}")
        try:
            seen = _probe_remote(kernel, list(needs))
        except Exception as exc:  # the server answered the preflight: say what the kernel did
            report.add(topic, "problem", f"a kernel on {kernel.remote.url} could not run the check: {exc}",
                       "start one in the browser there and run `import torch` to see why")
            return
        _interpret(report, topic, name, seen, needs, nvidia_driver(seen.get("nvidia_smi")), local=False)
        return
    env = {**os.environ, **(kernel.env or {})}
    try:
        done = subprocess.run([kernel.interpreter, "-c", PROBE, *needs], capture_output=True, text=True, env=env,
                              timeout=120, encoding="utf-8", errors="replace")
    except subprocess.TimeoutExpired:
        report.add(topic, "problem", f"{kernel.interpreter} did not finish importing numpy and torch in 120 s",
                   "run it by hand to see where it hangs: " f"`{kernel.interpreter} -c 'import torch'`")
        return
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("tilbook-doctor:")), None)
    if line is None:
        report.add(topic, "problem", f"{kernel.interpreter} could not run a Python check (exit {done.returncode})",
                   "is it a Python interpreter? see `jupyter kernelspec list`", kernel.spec_dir)
        return
    seen = json.loads(line[len("tilbook-doctor:"):])
    _interpret(report, topic, name, seen, needs, driver, local=True)


def _probe_remote(kernel: Any, dists: list[str]) -> dict[str, Any]:
    """PROBE run in a fresh kernel on the remote server (started and stopped here)."""
    from tilbook.notebooks.execute import KernelLaunch, run_quietly

    launch = KernelLaunch(kernel, Path.cwd()).start()
    code = f"import sys\nsys.argv = ['probe', *{dists!r}]\n" + PROBE + "\nimport subprocess, shutil\n" + _SMI_PROBE

    async def ask() -> str:
        from jupyter_core.utils import ensure_async

        kc = launch.manager.client()
        await ensure_async(kc.start_channels())
        try:
            return await run_quietly(kc, code, timeout=180)
        finally:
            await ensure_async(kc.stop_channels())

    try:
        out = launch.runner.run(ask())
    finally:
        launch.close()
    seen: dict[str, Any] = {}
    for line in out.splitlines():
        if line.startswith("tilbook-doctor:"):
            seen.update(json.loads(line[len("tilbook-doctor:"):]))
        elif line.startswith("tilbook-smi:"):
            seen["nvidia_smi"] = json.loads(line[len("tilbook-smi:"):])
    if "python" not in seen:
        raise RuntimeError("no answer from the check")
    return seen


# nvidia-smi where the kernel runs (the desktop, for a remote), as text.
_SMI_PROBE = """
import json as _json
_smi = shutil.which("nvidia-smi")
_out = None
if _smi:
    try:
        _out = subprocess.run([_smi], capture_output=True, text=True, timeout=20).stdout
    except Exception:
        _out = None
print("tilbook-smi:" + _json.dumps(_out))
"""


def _interpret(report: Report, topic: str, name: str, seen: dict[str, Any], needs: dict[str, list[str]],
               driver: dict[str, str] | None, *, local: bool) -> None:
    report.kernels[name] = seen
    report.add(topic, "ok", f"runs {seen['executable']} (Python {seen['python']}), "
               f"NumPy {seen.get('numpy') or '-'}, torch {seen.get('torch') or '-'}")
    if local and os.path.realpath(seen["prefix"]) != os.path.realpath(sys.prefix):
        report.add(topic, "warning",
                   f"this kernel's environment is {seen['prefix']}, not tilbook's ({sys.prefix}): notebooks run "
                   "with the packages installed there",
                   f"install into that one (`{seen['executable']} -m pip install ...`), or register the environment "
                   f"you meant: `/path/to/env/bin/python -m ipykernel install --user --name {name}`")
    errors = seen.get("errors", {})
    abi = next((text for text in errors.values() if _NUMPY_ABI.search(text)), None)
    if abi is not None:
        broken = "torch" if "torch" in errors and _NUMPY_ABI.search(errors["torch"]) else "a package"
        report.add(topic, "problem",
                   f"NumPy {seen.get('numpy') or '?'} does not fit {broken} built against another NumPy major version "
                   "(the NumPy 1.x/2.x ABI break): " + _last_line(abi),
                   f"in that environment, either `{seen['executable']} -m pip install \"numpy<2\"`, or upgrade the "
                   f"package to a build for NumPy 2 (`{seen['executable']} -m pip install -U torch`)")
    elif "torch" in errors:
        if "No module named 'torch'" in errors["torch"]:
            report.add(topic, "problem", "torch is not installed in this kernel's environment",
                       f"`{seen['executable']} -m pip install torch` (see pytorch.org for the CUDA build that "
                       "matches your driver)")
        else:
            report.add(topic, "problem", "importing torch fails: " + _last_line(errors["torch"]),
                       f"reinstall it: `{seen['executable']} -m pip install --force-reinstall torch`")
    if seen.get("torch"):
        _check_cuda(report, topic, seen, driver)
    missing = sorted(dist for dist, version in seen.get("dists", {}).items() if version is None)
    if missing:
        users = sorted({t for dist in missing for t in needs.get(dist, [])})
        report.add(topic, "problem", f"the notebook templates ({', '.join(users)}) need {', '.join(missing)}, "
                   "which this kernel lacks", f"`{seen['executable']} -m pip install {' '.join(missing)}`")


def _check_cuda(report: Report, topic: str, seen: dict[str, Any], driver: dict[str, str] | None) -> None:
    built = seen.get("torch_cuda")
    if seen.get("cuda_available"):
        report.add(topic, "ok", f"CUDA {built} available: {', '.join(seen.get('devices') or [])}")
        return
    if not built:
        if driver:
            report.add(topic, "problem",
                       f"torch {seen['torch']} is a CPU-only build, but this machine has an NVIDIA driver "
                       f"({driver['driver']}): notebooks will not use the GPU",
                       "install a CUDA build: `pip install torch --index-url https://download.pytorch.org/whl/cu121` "
                       f"(pick the CUDA version at or below {driver['cuda'] or 'what nvidia-smi shows'})")
        else:
            report.add(topic, "ok", f"torch {seen['torch']} is a CPU build and there is no NVIDIA GPU here: "
                       "notebooks run on the CPU")
        return
    if driver is None:
        report.add(topic, "warning", f"torch is built for CUDA {built}, but no NVIDIA driver answers (`nvidia-smi` "
                   "is missing or fails): notebooks run on the CPU",
                   "install the NVIDIA driver (on WSL, the Windows driver), or run on a machine with a GPU "
                   "through a remote kernel")
    elif driver.get("cuda") and _version(driver["cuda"]) < _version(built):
        report.add(topic, "problem", f"the NVIDIA driver {driver['driver']} supports CUDA up to {driver['cuda']}, "
                   f"older than the CUDA {built} torch was built for: CUDA is unavailable",
                   f"update the driver, or install a torch build for CUDA {driver['cuda']} or older")
    else:
        report.add(topic, "problem", f"torch is built for CUDA {built} and the driver {driver['driver']} is new "
                   "enough, yet CUDA is unavailable",
                   "check `nvidia-smi` for the GPU, CUDA_VISIBLE_DEVICES, and that no other process holds it")


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else text.strip()


# --- Jupyter's config ------------------------------------------------------------------------

CONFIG_NAMES = ("jupyter_server_config.py", "jupyter_server_config.json", "jupyter_notebook_config.py",
                "jupyter_notebook_config.json")


def jupyter_config_files() -> list[Path]:
    from jupyter_core.paths import jupyter_config_path

    found = []
    for folder in jupyter_config_path():
        for name in CONFIG_NAMES:
            path = Path(folder) / name
            if path.is_file():
                found.append(path)
    return found


_SETTING = re.compile(r"^\s*c\.(\w+)\.(\w+)\s*=\s*(.+?)\s*(#.*)?$")


def _settings(path: Path) -> list[tuple[int, str, str, str]]:
    """(line, class, trait, value as written) for each `c.Class.trait = value` line, or
    each key of a JSON config."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError:
            return []
        return [(0, cls, trait, json.dumps(value)) for cls, traits in data.items() if isinstance(traits, dict)
                for trait, value in traits.items()]
    return [(i, m[1], m[2], m[3]) for i, line in enumerate(text.splitlines(), 1) if (m := _SETTING.match(line))]


def _literal(value: str) -> Any:
    import ast

    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return None


def _check_jupyter_configs(report: Report, files: list[Path]) -> None:
    topic = "jupyter config"
    for path in files:
        settings = _settings(path)
        values = {(cls, trait): (line, _literal(value)) for line, cls, trait, value in settings}

        def where(line: int) -> str:
            return f"{path}:{line}" if line else str(path)

        if path.name.startswith("jupyter_server_config"):
            for line, cls, trait, _ in settings:
                if cls == "NotebookApp":
                    report.add(topic, "problem", f"c.NotebookApp.{trait} is ignored by Jupyter Server",
                               f"write c.ServerApp.{trait} (NotebookApp settings belong to the classic notebook)",
                               where(line))
        for (cls, trait), (line, value) in values.items():
            if trait == "password" and isinstance(value, str) and value[:1] in ("'", '"'):
                report.add(topic, "problem", f"c.{cls}.password has quotes inside its value ({value[:12]}…): "
                           "no password will ever match", "remove the inner quotes: the value must start with "
                           "'argon2:' or 'sha1:'", where(line))
        ip = next((v for (cls, trait), v in values.items() if trait == "ip" and cls in ("ServerApp", "NotebookApp")),
                  None)
        if ip is None or ip[1] not in ("*", "0.0.0.0", "::", ""):
            continue
        passwords = [v for (cls, trait), (_, v) in values.items() if trait in ("password", "hashed_password") and v]
        tokens = [(cls, v) for (cls, trait), (_, v) in values.items() if trait == "token"]
        no_token = any(v == "" for _, v in tokens)
        if not passwords and no_token:
            report.add(topic, "problem",
                       f"Jupyter listens on every interface (ip = {ip[1]!r}) with no password and an empty token: anyone "
                       "on the network can run code as you",
                       "keep ip = '127.0.0.1' and reach it over `ssh -L 8888:127.0.0.1:8888 desktop`, or set a password "
                       "(`jupyter server password`) and remove the empty token", where(ip[0]))
        elif not passwords:
            report.add(topic, "warning", f"Jupyter listens on every interface (ip = {ip[1]!r}), guarded only by its token",
                       "prefer ip = '127.0.0.1' with an SSH tunnel, or set a password and TLS (certfile/keyfile)",
                       where(ip[0]))


def format_report(report: Report) -> list[str]:
    marks = {"ok": "ok  ", "warning": "warn", "problem": "FAIL"}
    lines = []
    for f in report.findings:
        lines.append(f"[{marks[f.level]}] {f.topic}: {f.message}")
        if f.where and f.level != "ok":
            lines.append(f"       at {f.where}")
        if f.fix and f.level != "ok":
            lines.append(f"       fix: {f.fix}")
    problems = sum(f.level == "problem" for f in report.findings)
    warnings = sum(f.level == "warning" for f in report.findings)
    lines.append("healthy" if report.healthy and not warnings else
                 f"{problems} problem{'s' * (problems != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return lines
