"""Who may talk to the server: a Host-header allowlist (DNS rebinding) and optional API keys.

Keys come from settings and from a key file that is re-read whenever it changes, so a key
removed from the file stops working with the next request. Binding to a non-loopback address
without any key configured is refused at start-up.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from localchat.config import ServerSettings
from localchat.errors import AuthenticationError, ConfigError
from server.errors import HostNotAllowedError, send_error

# Probes answer without credentials, whatever the Host (load balancers, container runtimes
# probing the pod's IP, `localchat doctor`).
OPEN_PATHS = ("/api/health/live", "/api/health/ready")


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ApiKeys:
    """The accepted keys. The file is one key per line; blank lines and # comments are skipped."""

    def __init__(self, keys: Iterable[str] = (), key_file: str = "") -> None:
        self._static = tuple(k.strip() for k in keys if k.strip())
        self._file = Path(key_file).expanduser() if key_file else None
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._from_file: tuple[str, ...] = ()
        if self._file is not None and not self._file.is_file():
            raise ConfigError(
                f"server.api_keys_file {self._file} does not exist",
                hint="create it with one key per line, or unset api_keys_file",
            )

    @property
    def configured(self) -> bool:
        return bool(self._static) or self._file is not None

    def current(self) -> tuple[str, ...]:
        return self._static + self._file_keys()

    def _file_keys(self) -> tuple[str, ...]:
        if self._file is None:
            return ()
        try:
            st = os.stat(self._file)
        except OSError:
            return ()  # file gone: its keys are revoked (fail closed)
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if stamp != self._stamp:
                lines = self._file.read_text(encoding="utf-8").splitlines()
                self._from_file = tuple(
                    s for line in lines if (s := line.strip()) and not s.startswith("#")
                )
                self._stamp = stamp
            return self._from_file

    def accepts(self, presented: str) -> bool:
        # Compare against every key so timing does not reveal which one nearly matched.
        ok = False
        for key in self.current():
            ok |= hmac.compare_digest(key.encode(), presented.encode())
        return ok


def host_allowlist(server: ServerSettings) -> frozenset[str]:
    hosts = {h.lower() for h in server.allowed_hosts}
    if server.host not in ("0.0.0.0", "::", ""):
        hosts.add(server.host.lower())
    return frozenset(hosts)


def check_bind(server: ServerSettings, keys: ApiKeys) -> None:
    """Refuse to serve beyond this machine without keys (DESIGN §7)."""
    if not is_loopback(server.host) and not keys.configured:
        raise ConfigError(
            f"binding to {server.host} exposes LocalChat to the network without an API key",
            hint="set server.api_keys or server.api_keys_file (or bind to 127.0.0.1)",
        )


def request_host(headers: Sequence[tuple[bytes, bytes]]) -> str | None:
    raw = next((v for k, v in headers if k == b"host"), None)
    if raw is None:
        return None
    host = raw.decode("latin-1").strip().lower()
    if host.startswith("["):  # [::1]:8484
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def bearer_token(headers: Sequence[tuple[bytes, bytes]]) -> str | None:
    raw = next((v for k, v in headers if k == b"authorization"), None)
    if raw is None:
        return None
    scheme, _, token = raw.decode("latin-1").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class SecurityMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, allowed_hosts: frozenset[str], keys: ApiKeys) -> None:
        self.allowed_hosts = allowed_hosts
        self.keys = keys

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["path"] in OPEN_PATHS:  # probes reveal nothing: any host, no key
            await next_app(scope, receive, send)
            return
        headers = scope["headers"]
        host = request_host(headers)
        if "*" not in self.allowed_hosts and host not in self.allowed_hosts:
            await send_error(
                send,
                HostNotAllowedError(
                    f"Host {host or '(none)'} is not an allowed name for this server",
                    hint="connect via localhost/127.0.0.1, or add the name to server.allowed_hosts",
                ),
            )
            return
        if self.keys.configured:
            token = bearer_token(headers)
            if token is None or not self.keys.accepts(token):
                what = "no API key was sent" if token is None else "the API key is not valid"
                await send_error(
                    send,
                    AuthenticationError(
                        what,
                        hint="send Authorization: Bearer <key> with a key from the server's "
                        "api_keys or api_keys_file",
                    ),
                )
                return
        await next_app(scope, receive, send)
