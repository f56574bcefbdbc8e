"""Find the LocalChat server the TUI talks to, or start one in the background."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import msgspec

from localchat import errors
from localchat.config import SECTIONS, Settings


def server_url(settings: Settings) -> str:
    host = settings.server.host
    if host in ("0.0.0.0", "::", ""):  # a wildcard bind is reached on loopback
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.server.port}"


def settings_env(settings: Settings) -> dict[str, str]:
    """`LOCALCHAT_<SECTION>_<KEY>` for every setting, so a child process sees the same ones."""
    env: dict[str, str] = {}
    for section in SECTIONS:
        for key, value in msgspec.structs.asdict(getattr(settings, section)).items():
            if value is None:
                continue
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, tuple | list):
                text = ",".join(map(str, value))
            else:
                text = str(value)
            env[f"LOCALCHAT_{section.upper()}_{key.upper()}"] = text
    return env


# Run by stop_in_background in its own process: wait for a pid to go, kill it after a grace.
_WATCHER = """
import os, signal, sys, time
pid, deadline = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(0)
    time.sleep(0.1)
try:
    os.kill(pid, signal.SIGKILL)
except ProcessLookupError:
    pass
"""


class ServerHandle:
    """The server the TUI talks to; `stop()` ends it only if this process started it."""

    def __init__(
        self, base_url: str, process: subprocess.Popen | None = None, log: Path | None = None
    ):
        self.base_url = base_url
        self.process = process
        self.log_path = log

    @property
    def started(self) -> bool:
        return self.process is not None

    def terminate(self) -> None:
        """Ask a started server to shut down, without waiting for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def stop_in_background(self, grace_s: float = 10.0) -> None:
        """Ask a started server to shut down and return at once.

        A detached watcher kills it if it still runs after `grace_s`, so quitting a front end
        never waits for a server's graceful shutdown (seconds during a re-index), and a server
        that hangs is not left behind."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        subprocess.Popen(
            [sys.executable, "-c", _WATCHER, str(self.process.pid), str(grace_s)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Shut a started server down and wait for it (killing it after `timeout`)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)


def _probe(url: str, timeout: float = 1.0) -> int | None:
    try:
        return httpx.get(url, timeout=timeout).status_code
    except httpx.HTTPError:
        return None


def ensure_server(
    settings: Settings,
    *,
    config_file: str | None = None,
    timeout_s: float = 180.0,
    on_status: Callable[[str], None] | None = None,
    on_spawn: Callable[[ServerHandle], None] | None = None,
    cancel: threading.Event | None = None,
) -> ServerHandle:
    """Use the server that answers at the configured address, or start one and wait for it.

    `on_spawn` receives the handle as soon as a process starts, so a caller that quits while
    the server is still loading can stop it; setting `cancel` ends the wait at once.
    """
    base = server_url(settings)
    status = _probe(f"{base}/api/health/live")
    if status == 200:
        return ServerHandle(base)
    if status is not None:
        raise errors.ConfigError(
            f"another program answers at {base} (HTTP {status} on /api/health/live)",
            hint="stop it, or choose a free port with LOCALCHAT_SERVER_PORT or [server] port",
        )
    data = settings.data_path
    data.mkdir(parents=True, exist_ok=True)
    log = data / "server.log"
    command = [sys.executable, "-m", "localchat.cli", "--data-dir", str(data)]
    command += ["--config", config_file] if config_file else []
    command += ["serve", "--host", settings.server.host, "--port", str(settings.server.port)]
    if on_status:
        on_status(f"Starting the LocalChat server at {base}…")
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=os.environ | settings_env(settings),
            start_new_session=True,  # the terminal's Ctrl+C belongs to the TUI, not the server
        )
    handle = ServerHandle(base, process, log)
    if on_spawn:
        on_spawn(handle)
    try:
        _wait_ready(handle, timeout_s, on_status, cancel)
    except BaseException:
        handle.stop()
        raise
    return handle


def _readiness(url: str) -> tuple[int | None, str]:
    """(HTTP status, the server's reason for not being ready) of /api/health/ready."""
    try:
        response = httpx.get(url, timeout=2.0)
    except httpx.HTTPError:
        return None, ""
    try:
        reason = str(response.json().get("reason") or "")
    except (ValueError, AttributeError):
        reason = ""
    return response.status_code, reason


def _wait_ready(handle: ServerHandle, timeout_s: float, on_status, cancel=None) -> None:
    deadline = time.monotonic() + timeout_s
    hint = f"read {handle.log_path}, or run `localchat doctor`"
    reason = ""
    while time.monotonic() < deadline:
        assert handle.process is not None
        if cancel is not None and cancel.is_set():
            raise errors.NotReadyError("stopped waiting for the server", hint="start it again")
        if handle.process.poll() is not None:
            raise errors.NotReadyError(
                f"the LocalChat server exited at start (code {handle.process.returncode}): "
                f"{_log_tail(handle.log_path)}",
                hint=hint,
            )
        status, reason = _readiness(f"{handle.base_url}/api/health/ready")
        if status == 200:
            return
        if "unavailable" in reason or "restart" in reason:  # waiting will not fix these
            raise errors.NotReadyError(f"the LocalChat server cannot answer: {reason}", hint=hint)
        if on_status:
            on_status(f"Starting LocalChat: {reason or 'opening the library'}…")
        if cancel is not None:
            cancel.wait(0.25)
        else:
            time.sleep(0.25)
    raise errors.NotReadyError(
        f"the LocalChat server did not become ready in {timeout_s:.0f} s"
        + (f" ({reason})" if reason else ""),
        hint=hint,
    )


def _log_tail(path: Path | None, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace") if path else ""
    except OSError:
        return "no log"
    tail = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " / ".join(tail) or "no output"
