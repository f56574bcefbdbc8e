"""ensure_server: reuse what answers, refuse a foreign program, report a server that dies."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from localchat import errors
from localchat.client import ensure_server, server_url
from localchat.config import load_settings


class _Handler(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args):
        pass


def _serve(status: int):
    handler = type("H", (_Handler,), {"status": status})
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _settings(tmp_path, port: int):
    return load_settings(data_dir=tmp_path, environ={"LOCALCHAT_SERVER_PORT": str(port)})


def test_a_live_server_is_reused_and_never_stopped(tmp_path):
    httpd = _serve(200)
    try:
        handle = ensure_server(_settings(tmp_path, httpd.server_port))
        assert not handle.started
        handle.stop()  # a no-op for a server we did not start
        assert handle.base_url == f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()


def test_another_program_on_the_port_is_reported(tmp_path):
    httpd = _serve(404)
    try:
        with pytest.raises(errors.ConfigError) as caught:
            ensure_server(_settings(tmp_path, httpd.server_port))
        assert "another program" in caught.value.message
        assert "port" in caught.value.hint
    finally:
        httpd.shutdown()


def test_a_server_that_exits_at_start_is_reported_with_its_log(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = _settings(tmp_path, port)
    # A config file that does not exist makes `localchat serve` exit at once with a message.
    spawned = []
    with pytest.raises(errors.LocalChatError) as caught:
        ensure_server(
            settings,
            config_file=str(tmp_path / "missing.toml"),
            timeout_s=60,
            on_spawn=spawned.append,
        )
    assert spawned and spawned[0].process.poll() is not None
    assert "exited" in caught.value.message
    assert str(tmp_path / "server.log") in caught.value.hint


def test_server_url_reaches_wildcard_binds_on_loopback(tmp_path):
    settings = load_settings(data_dir=tmp_path, environ={"LOCALCHAT_SERVER_HOST": "0.0.0.0"})
    assert server_url(settings) == "http://127.0.0.1:8484"


def _child(ignore_term: bool):
    import subprocess
    import sys

    code = "import signal, time\n"
    code += "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" if ignore_term else ""
    code += "print('ready', flush=True)\ntime.sleep(60)\n"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert child.stdout.readline().strip() == b"ready"
    return child


@pytest.mark.parametrize("ignore_term", [False, True])
def test_stop_in_background_returns_at_once_and_never_leaves_the_server(ignore_term):
    import time

    from localchat.client.launch import ServerHandle

    child = _child(ignore_term)
    try:
        started = time.monotonic()
        ServerHandle("http://127.0.0.1:1", child).stop_in_background(grace_s=0.5)
        assert time.monotonic() - started < 0.3  # the caller never waits for the shutdown
        code = child.wait(timeout=10)
        assert code == (-9 if ignore_term else -15)  # SIGTERM honoured, or SIGKILL after grace
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
