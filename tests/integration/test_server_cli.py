"""`localchat serve`: the real command starts, answers, refuses an unsafe bind, stops on SIGINT."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx

from tests.conftest import REPO
from tests.server.harness import free_port, wait_ready

ENV = {"PATH": "/usr/bin:/bin"}


def localchat(*args: str, data_dir) -> list[str]:
    return [sys.executable, "-m", "localchat.cli", "--data-dir", str(data_dir), *args]


def test_serve_answers_probes_and_models_then_stops_cleanly(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        localchat("serve", "--port", str(port), data_dir=tmp_path / "data"),
        cwd=REPO,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, "/api/health/ready", timeout=300)
        live = httpx.get(f"{base}/api/health/live").json()
        # `library` names the data dir served (localchat ingest/doctor check they match).
        assert live["status"] == "ok" and len(live["library"]) == 16
        ids = [m["id"] for m in httpx.get(f"{base}/v1/models").json()["data"]]
        assert "localchat" in ids
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "Traceback" not in output


def test_serve_refuses_the_network_without_a_key(tmp_path):
    result = subprocess.run(
        localchat(
            "serve", "--host", "0.0.0.0", "--port", str(free_port()), data_dir=tmp_path / "data"
        ),
        cwd=REPO,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "API key" in result.stderr and "troubleshooting.md#invalid-config" in result.stderr
