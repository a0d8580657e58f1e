"""`tilbook jupyter-config`: a Jupyter Server config for reaching the GPU desktop, the safe way.

What people paste from old posts goes wrong in known ways (`tilbook doctor` finds them):
`c.NotebookApp` settings that Jupyter Server ignores, a password hash pasted with its quotes,
a server on every interface with no password. This writes `ServerApp` settings, stores only
the password's argon2 hash (Jupyter Server's own `passwd`), refuses to listen beyond this
machine without a password, warns when there is no TLS, and never replaces an existing
config without `--force` (which keeps a backup).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from tilbook.errors import UsageError
from tilbook.files import write_atomic

LOCAL = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Written:
    path: Path
    backup: Path | None
    warnings: tuple[str, ...]


def config_text(*, ip: str, port: int, hashed: str | None, certfile: str | None, keyfile: str | None) -> str:
    lines = [
        "# Written by `tilbook jupyter-config`. Jupyter Server reads ServerApp settings",
        "# (NotebookApp ones are the classic notebook's and are ignored here).",
        "c = get_config()  # noqa: F821",
        f"c.ServerApp.ip = {ip!r}",
        f"c.ServerApp.port = {port}",
        "c.ServerApp.open_browser = False",
        "c.ServerApp.allow_remote_access = " + ("False" if ip in LOCAL else "True"),
    ]
    if hashed:
        lines.append("# Only the argon2 hash of the password is stored; change it with `tilbook jupyter-config --force`.")
        lines.append(f"c.PasswordIdentityProvider.hashed_password = {hashed!r}")
    if certfile:
        lines.append(f"c.ServerApp.certfile = {certfile!r}")
    if keyfile:
        lines.append(f"c.ServerApp.keyfile = {keyfile!r}")
    return "\n".join(lines) + "\n"


def hash_password(password: str) -> str:
    try:
        from jupyter_server.auth import passwd
    except ImportError as exc:
        raise UsageError("hashing the password needs Jupyter Server, which is not installed here",
                         hint="pip install 'tilbook[server]' (or jupyter_server) on the machine that serves") from exc
    return passwd(password, algorithm="argon2")


def write_config(folder: Path, *, ip: str, port: int, password: str | None, certfile: str | None = None,
                 keyfile: str | None = None, force: bool = False) -> Written:
    """Write `folder/jupyter_server_config.py`. Raises UsageError for a server beyond this
    machine without a password, or an existing config without `force`."""
    if ip not in LOCAL and not password:
        raise UsageError(f"refusing to listen on {ip} without a password: anyone who reaches it could run code as you",
                         hint="give a password, or keep the default --ip 127.0.0.1 and use `ssh -L 8888:127.0.0.1:8888 "
                              "desktop` from the laptop")
    if bool(certfile) != bool(keyfile):
        raise UsageError("TLS needs both --certfile and --keyfile")
    warnings = []
    if ip not in LOCAL and not certfile:
        warnings.append(f"no TLS: the password and your code cross the network to {ip} in plain text; "
                        "prefer an SSH tunnel, or pass --certfile and --keyfile")
    path = folder / "jupyter_server_config.py"
    backup = None
    if path.exists():
        if not force:
            raise UsageError(f"{path} exists; left untouched", hint="pass --force to replace it (a backup is kept)")
        backup = path.with_name(f"{path.name}.bak-{dt.datetime.now():%Y%m%d-%H%M%S}")
        shutil.copy2(path, backup)
    text = config_text(ip=ip, port=port, hashed=hash_password(password) if password else None, certfile=certfile,
                       keyfile=keyfile)
    write_atomic(path, text.encode("utf-8"))
    return Written(path, backup, tuple(warnings))
