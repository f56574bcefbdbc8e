"""/metrics sees Resources handed to create_app(resources=...) as fully as ones the server opens,
and the server-opened ones report on to a telemetry given to create_app."""

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
    reports = runtime.telemetry  # fake_runtime's PrometheusTelemetry, over a recording one
    recording = reports.inner
    assert isinstance(recording, RecordingTelemetry)
    with TestClient(create_app(settings, resources=runtime), base_url=BASE_URL) as client:
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
        # The metrics are the Resources' own: the fixture's two documents were counted too.
        ingest_total = ("localchat_ingest_documents_total", ())
        assert before[ingest_total] == 2 and ingested[ingest_total] == 3
        assert ingested[("localchat_documents", ())] == 3
    # The inner telemetry heard everything too, and the Resources kept theirs throughout.
    assert ("cache", "l1", True) in recording.calls
    assert any(call[0] == "ingested" for call in recording.calls)
    assert runtime.telemetry is reports


def test_the_server_opens_resources_reporting_to_its_metrics_and_the_given_telemetry(settings):
    recording = RecordingTelemetry()
    with TestClient(create_app(settings, telemetry=recording), base_url=BASE_URL) as client:
        upload = client.post(
            "/api/documents",
            files={"file": ("pumps.md", b"# Pumps\n\nThe QX-17 pump cools the reactor.\n")},
        )
        assert wait_for_job(client, upload.json()["id"])["added"] == 1
        scraped = scrape(client)
        assert scraped[("localchat_ingest_documents_total", ())] == 1
        assert scraped[("localchat_documents", ())] == 1
    ingested = [call for call in recording.calls if call[0] == "ingested"]
    assert len(ingested) == 1 and ingested[0][1] == 1
    assert ("stored", 1, scraped[("localchat_chunks", ())]) in recording.calls
