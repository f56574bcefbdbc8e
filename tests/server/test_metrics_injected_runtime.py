"""/metrics sees a runtime handed to create_app(runtime=...) as fully as one the server opens."""

from __future__ import annotations

import time

from litestar.testing import TestClient

from localchat.telemetry import RecordingTelemetry
from server.app import create_app
from tests.server.conftest import BASE_URL
from tests.server.test_health_metrics import samples

QUESTION = "What keeps the Boots self-locking nut tight?"
L1 = (("tier", "l1"),)


def ask(client) -> str:
    response = client.post(
        "/v1/chat/completions",
        json={
            "model": "localchat",
            "temperature": 0,
            "messages": [{"role": "user", "content": QUESTION}],
        },
    )
    assert response.status_code == 200, response.text
    return response.headers["x-localchat-cache"]


def scrape(client) -> dict:
    return samples(client.get("/metrics").text)


def wait_for_job(client, job_id: str) -> dict:
    deadline = time.monotonic() + 30
    while (job := client.get(f"/api/jobs/{job_id}").json())["finished_at"] is None:
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


def test_an_injected_runtime_reports_cache_retrieval_generation_and_ingest(settings, runtime):
    recording = runtime.telemetry
    assert isinstance(recording, RecordingTelemetry)
    with TestClient(create_app(settings, runtime=runtime), base_url=BASE_URL) as client:
        before = scrape(client)
        assert [ask(client), ask(client)] == ["miss", "l1"]
        after = scrape(client)
        hits = ("localchat_cache_hits_total", L1)
        assert after[hits] == before[hits] + 1
        misses = ("localchat_cache_misses_total", L1)
        assert after[misses] == before[misses] + 1
        # Only the miss retrieved and generated; the hit did neither.
        assert after[("localchat_rag_retrieval_seconds_count", ())] == 1
        assert after[("localchat_generation_tokens_total", ())] > 0
        upload = client.post(
            "/api/documents",
            files={"file": ("pumps.md", b"# Pumps\n\nThe QX-17 pump cools the reactor.\n")},
        )
        assert wait_for_job(client, upload.json()["id"])["added"] == 1
        ingested = scrape(client)
        assert ingested[("localchat_ingest_documents_total", ())] == 1
        assert ingested[("localchat_documents", ())] == 3
    # The runtime's own telemetry heard everything too, and has it back after shutdown.
    assert ("cache", "l1", True) in recording.calls
    assert any(call[0] == "ingested" for call in recording.calls)
    assert runtime.telemetry is recording


def test_set_telemetry_redirects_every_report_and_returns_the_previous(runtime):
    first, second = runtime.telemetry, RecordingTelemetry()
    assert runtime.set_telemetry(second) is first
    runtime.cache.report("l2", False)  # the cache was built before the swap
    assert second.calls == [("cache", "l2", False)]
    assert runtime.set_telemetry(first) is second
