"""Probes and /metrics: honest readiness, a real deep check, metric names and labels."""

from __future__ import annotations

import re
import threading

from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

import localchat.generation
from localchat.config import Settings
from localchat.errors import ModelMissingError
from localchat.generation.scripted import ScriptedGenerator
from server.app import create_app
from server.metrics import Metrics
from server.state import ServerState
from tests.server.conftest import BASE_URL
from tests.server.harness import fake_runtime

QUESTION = "What keeps the Boots self-locking nut tight?"
METRIC_NAMES = [
    "localchat_requests_total",
    "localchat_request_duration_seconds",
    "localchat_cache_hits_total",
    "localchat_cache_misses_total",
    "localchat_rag_retrieval_seconds",
    "localchat_rag_chunks_count",
    "localchat_ingest_documents_total",
    "localchat_ingest_chunks_total",
    "localchat_ingest_embedding_tokens_total",
    "localchat_ingest_seconds",
    "localchat_generation_tokens_total",
    "localchat_generation_ttft_seconds",
    "localchat_generation_tokens_per_second",
    "localchat_documents",
    "localchat_chunks",
]


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_live_and_ready(client):
    live = client.get("/api/health/live").json()
    assert live["status"] == "ok" and len(live["library"]) == 16  # which library, as a hash
    ready = client.get("/api/health/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"


def test_ready_is_503_with_a_reason_until_started(settings: Settings):
    state = ServerState(settings, Metrics())
    assert state.not_ready_reason() == "the store and index are still opening"


def test_ready_says_when_the_index_disagrees_with_sqlite(client, runtime):
    runtime.index.remove([int(k) for k in runtime.index.keys()[:1]])
    ready = client.get("/api/health/ready")
    assert ready.status_code == 503
    assert "vector index" in ready.json()["reason"]
    assert ready.headers["retry-after"] == "1"


def test_deep_checks_every_component(client):
    body = client.get("/api/health/deep").json()
    assert body["status"] == "ok", body
    assert set(body["components"]) == {"sqlite", "index", "embedding", "generation", "disk"}
    for component in body["components"].values():
        assert component["status"] == "ok" and component["latency_ms"] >= 0
    assert body["components"]["generation"]["data"]["completion_tokens"] == 1
    assert body["components"]["sqlite"]["data"]["documents"] == 2


def test_metrics_have_the_contract_names_and_count_requests(client):
    client.post(
        "/v1/chat/completions",
        json={"model": "localchat", "messages": [{"role": "user", "content": QUESTION}]},
    )
    client.get("/v1/nothing")
    text = client.get("/metrics").text
    for name in METRIC_NAMES:
        assert re.search(rf"^{name}(_bucket|_count|_sum)?[{{ ]", text, re.M), name
    values = samples(text)
    chat = (
        "localchat_requests_total",
        (("method", "POST"), ("route", "/v1/chat/completions"), ("status", "200")),
    )
    assert values[chat] == 1
    unmatched = (
        "localchat_requests_total",
        (("method", "GET"), ("route", "unmatched"), ("status", "404")),
    )
    assert values[unmatched] == 1
    assert values[("localchat_documents", ())] == 2
    assert values[("localchat_generation_tokens_total", ())] > 0
    assert values[("localchat_rag_retrieval_seconds_count", ())] >= 1
    assert values[("localchat_cache_misses_total", (("tier", "l1"),))] >= 0


def test_ready_waits_for_the_model_and_reports_a_load_failure(settings, monkeypatch):
    gate = threading.Event()
    outcome: dict = {}

    def slow_open(_settings):
        gate.wait(10)
        if "error" in outcome:
            raise outcome["error"]
        return ScriptedGenerator(["ok"])

    monkeypatch.setattr(localchat.generation, "open_generator", slow_open, raising=False)
    for failing in (False, True):
        runtime = fake_runtime(settings)
        runtime.generators.set_active(None)  # as after Resources.open: loaded on first use
        gate.clear()
        if failing:
            outcome["error"] = ModelMissingError("generation model /x.gguf does not exist")
        with TestClient(create_app(settings, resources=runtime), base_url=BASE_URL) as client:
            loading = client.get("/api/health/ready")
            assert loading.status_code == 503
            assert loading.json()["reason"] == "the answer model is still loading"
            gate.set()
            client.app.state.server.models.loaded.wait(10)
            ready = client.get("/api/health/ready")
            chat = client.post(
                "/v1/chat/completions",
                json={"model": "localchat", "messages": [{"role": "user", "content": "Boots?"}]},
            )
        runtime.close()
        if failing:
            assert ready.status_code == 503 and "/x.gguf" in ready.json()["reason"]
            assert chat.status_code == 503 and chat.json()["error"]["code"] == "model_missing"
        else:
            assert ready.status_code == 200 and chat.status_code == 200
