"""Kernels on a Jupyter Server on another machine (`tilbook.remotes` in mkdocs.yml).

nbclient drives them through jupyter_server's gateway kernel manager (REST to start and stop
kernels, one websocket for the channels). That websocket is opened without the server's
token (measured against jupyter_server 2.21: the handshake is refused with 403), so the
client here adds the `Authorization` header to it. The token (or, for a server with a
password only, the cookies of a login as a browser does it) is read from the environment
variable or file the config names, sent only in headers, and never printed, logged or
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


def _secret(remote: Remote, kind: str, env: str | None, file: Path | None) -> str:
    key = f"tilbook.remotes.{remote.name}"
    if env:
        value = os.environ.get(env, "").strip()
        if not value:
            raise ExecutionError(f"remote {remote.name!r}: the environment variable {env} is not set",
                                 key=f"{key}.{kind}_env",
                                 hint=f"export {env}=..." + (" with the token the server printed when it started "
                                                              "(`jupyter server list` on that machine shows it)"
                                                              if kind == "token" else " with the server's password"))
        return value
    assert file is not None
    try:
        value = Path(file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ExecutionError(f"remote {remote.name!r}: cannot read the {kind} file {file} ({exc.strerror})",
                             key=f"{key}.{kind}_file", hint=f"write the server's {kind} into that file (outside the repo)") from exc
    if not value:
        raise ExecutionError(f"remote {remote.name!r}: the {kind} file {file} is empty", key=f"{key}.{kind}_file")
    return value


def authenticate(remote: Remote) -> dict[str, str]:
    """The headers that authenticate every request to `remote`: its token, or the cookies
    and XSRF header of a login with its password."""
    if remote.token_env or remote.token_file:
        return {"Authorization": f"token {_secret(remote, 'token', remote.token_env, remote.token_file)}"}
    return login(remote, _secret(remote, "password", remote.password_env, remote.password_file))


def login(remote: Remote, password: str, *, timeout: float = 10) -> dict[str, str]:
    """Log in to a password-only Jupyter Server as a browser does: GET /login for the
    `_xsrf` cookie, POST the password with it, keep the login cookie."""
    import http.cookiejar
    from urllib.parse import urlencode

    jar = http.cookiejar.CookieJar()
    handlers: list[Any] = [urllib.request.HTTPCookieProcessor(jar), _NoRedirect()]
    context = _context(remote)
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    key = f"tilbook.remotes.{remote.name}"
    try:
        opener.open(f"{remote.url}/login", timeout=timeout).read()
        xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
        body = urlencode({"password": password, "_xsrf": xsrf}).encode()
        request = urllib.request.Request(f"{remote.url}/login?next=%2F", data=body, headers={"X-XSRFToken": xsrf})
        try:
            opener.open(request, timeout=timeout).read()
            accepted = False  # 200: the login page again
        except urllib.error.HTTPError as exc:
            accepted = exc.code in (301, 302, 303)
    except (urllib.error.URLError, OSError) as exc:
        raise _unreachable(remote, exc) from None
    cookies = {c.name: c.value for c in jar}
    if not accepted or len(cookies) < 2:
        where = remote.password_env or remote.password_file
        raise ExecutionError(f"the Jupyter Server at {remote.url} refused the password", key=key,
                             hint=f"check that {where} holds the password set with `jupyter server password` there")
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "X-XSRFToken": cookies.get("_xsrf", xsrf)}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 302 after the login is the answer, not a page to follow


def _unreachable(remote: Remote, exc: BaseException) -> ExecutionError:
    reason = getattr(exc, "reason", exc)
    tls = isinstance(reason, ssl.SSLError)
    return ExecutionError(
        f"cannot reach the Jupyter Server at {remote.url} ({reason})", key=f"tilbook.remotes.{remote.name}",
        hint=("its TLS certificate is not trusted here: add it to the system's store, or set verify_tls: false for "
              "a self-signed one you trust") if tls else
             ("is `jupyter server` running there, and the SSH tunnel up "
              f"(`ssh -N -L {urlsplit(remote.url).port or 8888}:127.0.0.1:8888 desktop`)?"))


def _context(remote: Remote) -> ssl.SSLContext | None:
    if not remote.url.startswith("https://"):
        return None
    context = ssl.create_default_context()
    if not remote.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def preflight(remote: Remote, auth: dict[str, str], *, timeout: float = 10) -> dict[str, Any]:
    """The server's kernelspecs, once it has answered, accepted the credentials and shown the
    kernel; else ExecutionError naming what failed and the fix."""
    request = urllib.request.Request(f"{remote.url}/api/kernelspecs", headers=auth)
    key = f"tilbook.remotes.{remote.name}"
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=_context(remote)) as response:
            specs = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            where = remote.token_env or remote.token_file or remote.password_env or remote.password_file
            what = "token" if (remote.token_env or remote.token_file) else "login"
            raise ExecutionError(f"the Jupyter Server at {remote.url} refused the {what} (HTTP {exc.code})",
                                 key=key, hint=f"check that {where} holds the {'token' if what == 'token' else 'password'} "
                                               "that server uses now (`jupyter server list` on that machine)") from None
        raise ExecutionError(f"the Jupyter Server at {remote.url} answered HTTP {exc.code} for /api/kernelspecs",
                             key=key, hint="is it a Jupyter Server (2.x) at that address?") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _unreachable(remote, exc) from None
    kernels = specs.get("kernelspecs", {})
    if remote.kernel not in kernels:
        raise ExecutionError(f"the Jupyter Server at {remote.url} has no kernel named {remote.kernel!r} "
                             f"(it has: {', '.join(sorted(kernels)) or 'none'})", key=f"{key}.kernel",
                             hint="set kernel: to one of those, or register the environment there with "
                                  f"`python -m ipykernel install --user --name {remote.kernel}`")
    return specs


def gateway_manager(remote: Remote, auth: dict[str, str]) -> Any:
    """A kernel manager for `remote` (jupyter_server's gateway manager, its websocket
    authenticated with the same headers). The gateway client is one per process: one
    remote per run."""
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
    gateway.ws_url = "ws" + remote.url[len("http"):]  # else the first remote's, kept for the process
    token = auth.get("Authorization", "").removeprefix("token ")
    gateway.auth_token = token
    extra = {k: v for k, v in auth.items() if k != "Authorization"}
    gateway.headers = json.dumps(extra)
    gateway._connection_args = {}  # computed once per process from the above: recompute for this remote
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
                                                              header=[f"{k}: {v}" for k, v in auth.items()])
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
