"""A real uvicorn server run exactly as `localchat serve` configures it (connection guards
included), in a thread, on a free loopback port."""

from __future__ import annotations

import contextlib
import threading

import msgspec
import uvicorn

from server.connections import uvicorn_config
from tests.server.harness import free_port, wait_ready


@contextlib.contextmanager
def serve_like_cli(app, server_settings, *, timeout: float = 300.0):
    """Yield the base URL of app served with `uvicorn_config(server_settings)`."""
    port = free_port()
    settings = msgspec.structs.replace(server_settings, host="127.0.0.1", port=port)
    server = uvicorn.Server(uvicorn_config(app, settings, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, "/api/health/ready", timeout)
        yield base
    finally:
        server.should_exit = True
        thread.join(30)
