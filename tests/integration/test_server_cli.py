"""`localchat serve`: the real command starts, answers, refuses an unsafe bind, stops on SIGINT."""

from __future__ import annotations

import httpx

from tests.integration.cli_process import run, running
from tests.server.harness import free_port, wait_ready


def test_serve_answers_probes_and_models_then_stops_cleanly(tmp_path):
    port = free_port()
    with running("serve", "--port", str(port), data_dir=tmp_path / "data"):
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, "/api/health/ready", timeout=300)
        live = httpx.get(f"{base}/api/health/live").json()
        # `library` names the data dir served (localchat ingest/doctor check they match).
        assert live["status"] == "ok" and len(live["library"]) == 16
        ids = [m["id"] for m in httpx.get(f"{base}/v1/models").json()["data"]]
        assert "localchat" in ids


def test_serve_refuses_the_network_without_a_key(tmp_path):
    port = str(free_port())
    result = run("serve", "--host", "0.0.0.0", "--port", port, data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert "API key" in result.stderr and "troubleshooting.md#invalid-config" in result.stderr
