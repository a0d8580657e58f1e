"""Kernels on a Jupyter Server on another machine (`tilbook.remotes` in mkdocs.yml).

nbclient drives them through jupyter_server's gateway kernel manager (REST to start and stop
kernels, one websocket for the channels). That websocket is opened without the server's
token (measured against jupyter_server 2.21: the handshake is refused with 403), so the
client here adds the `Authorization` header to it. The token is read from the environment
variable or file the config names, sent only in that header, and never printed, logged or
written into a notebook, record or page.

Before any work, `preflight` checks that the server answers, accepts the token, and has the
kernel: each failure is one line with its fix.
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from threading import Thread
from typing import Any
from urllib.parse import urlsplit

from tilbook.config.model import Remote
from tilbook.errors import ExecutionError


def read_token(remote: Remote) -> str:
    key = f"tilbook.remotes.{remote.name}"
    if remote.token_env:
        token = os.environ.get(remote.token_env, "").strip()
        if not token:
            raise ExecutionError(f"remote {remote.name!r}: the environment variable {remote.token_env} is not set",
                                 key=f"{key}.token_env",
                                 hint=f"export {remote.token_env}=... with the token the server printed when it started "
                                      "(`jupyter server list` on that machine shows it)")
        return token
    assert remote.token_file is not None
    try:
        token = Path(remote.token_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ExecutionError(f"remote {remote.name!r}: cannot read the token file {remote.token_file} ({exc.strerror})",
                             key=f"{key}.token_file", hint="write the server's token into that file (outside the repo)") from exc
    if not token:
        raise ExecutionError(f"remote {remote.name!r}: the token file {remote.token_file} is empty", key=f"{key}.token_file")
    return token


def _context(remote: Remote) -> ssl.SSLContext | None:
    if not remote.url.startswith("https://"):
        return None
    context = ssl.create_default_context()
    if not remote.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def preflight(remote: Remote, token: str, *, timeout: float = 10) -> dict[str, Any]:
    """The server's kernelspecs, once it has answered, accepted the token and shown the kernel;
    else ExecutionError naming what failed and the fix."""
    request = urllib.request.Request(f"{remote.url}/api/kernelspecs", headers={"Authorization": f"token {token}"})
    key = f"tilbook.remotes.{remote.name}"
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=_context(remote)) as response:
            specs = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            where = remote.token_env or remote.token_file
            raise ExecutionError(f"the Jupyter Server at {remote.url} refused the token (HTTP {exc.code})",
                                 key=key, hint=f"check that {where} holds the token that server uses now "
                                               "(`jupyter server list` on that machine)") from None
        raise ExecutionError(f"the Jupyter Server at {remote.url} answered HTTP {exc.code} for /api/kernelspecs",
                             key=key, hint="is it a Jupyter Server (2.x) at that address?") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        tls = isinstance(reason, ssl.SSLError)
        raise ExecutionError(f"cannot reach the Jupyter Server at {remote.url} ({reason})", key=key,
                             hint=("its TLS certificate is not trusted here: add it to the system's store, or set "
                                   "verify_tls: false for a self-signed one you trust") if tls else
                                  ("is `jupyter server` running there, and the SSH tunnel up "
                                   f"(`ssh -N -L {urlsplit(remote.url).port or 8888}:127.0.0.1:8888 desktop`)?")) from None
    kernels = specs.get("kernelspecs", {})
    if remote.kernel not in kernels:
        raise ExecutionError(f"the Jupyter Server at {remote.url} has no kernel named {remote.kernel!r} "
                             f"(it has: {', '.join(sorted(kernels)) or 'none'})", key=f"{key}.kernel",
                             hint="set kernel: to one of those, or register the environment there with "
                                  f"`python -m ipykernel install --user --name {remote.kernel}`")
    return specs


def gateway_manager(remote: Remote, token: str) -> Any:
    """A kernel manager for `remote` (jupyter_server's gateway manager, its websocket
    authenticated). The gateway client is one per process: one remote per run."""
    try:
        import websocket
        from jupyter_server.gateway.gateway_client import GatewayClient
        from jupyter_server.gateway.managers import GatewayKernelClient, GatewayKernelManager
    except ImportError as exc:
        raise ExecutionError("running on a remote Jupyter Server needs jupyter_server here",
                             hint="pip install 'tilbook[server]'") from exc
    from jupyter_core.utils import ensure_async
    from jupyter_server.utils import url_escape, url_path_join

    gateway = GatewayClient.instance()
    gateway.url = remote.url
    gateway.auth_token = token
    gateway.validate_cert = remote.verify_tls
    gateway.request_timeout = 60.0
    gateway.connect_timeout = 10.0

    class AuthenticatedClient(GatewayKernelClient):  # type: ignore[misc]
        async def start_channels(self, shell: bool = True, iopub: bool = True, stdin: bool = True, hb: bool = True,
                                 control: bool = True) -> None:
            url = url_path_join(gateway.ws_url or "", gateway.kernels_endpoint, url_escape(self.kernel_id), "channels")
            sslopt = {} if remote.verify_tls else {"cert_reqs": ssl.CERT_NONE, "check_hostname": False}
            self.channel_socket = websocket.create_connection(url, timeout=gateway.KERNEL_LAUNCH_TIMEOUT,
                                                              enable_multithread=True, sslopt=sslopt,
                                                              header=[f"Authorization: token {token}"])
            await ensure_async(super(GatewayKernelClient, self).start_channels(
                shell=shell, iopub=iopub, stdin=stdin, hb=hb, control=control))
            self.response_router = Thread(target=self._route_responses, daemon=True)
            self.response_router.start()

    class AuthenticatedManager(GatewayKernelManager):  # type: ignore[misc]
        client_factory = AuthenticatedClient

        async def is_alive(self) -> bool:
            # The gateway manager raises when the server is gone; for nbclient's liveness
            # poll that is a dead kernel, reported as one within seconds.
            try:
                return bool(await super().is_alive())
            except Exception:
                return False

    return AuthenticatedManager(kernel_name=remote.kernel)
