"""GET/POST /api/config/rag: contract fields, validation, persisted, re-chunk on size change."""

from __future__ import annotations

from tests.server.test_documents import wait_job

CONTRACT = {"preset", "chunk_size", "chunk_overlap", "top_k", "min_similarity"}


def test_get_shows_the_active_configuration_and_the_presets(client):
    body = client.get("/api/config/rag").json()
    assert body.keys() >= CONTRACT
    assert body["preset"] == "balanced" and body["chunk_size"] == 1024
    assert body["presets"]["fast"]["top_k"] == 10
    assert body["rechunk_job"] is None


def test_query_time_values_apply_without_a_rechunk(client, runtime):
    body = client.post("/api/config/rag", json={"top_k": 3, "min_similarity": 0.1}).json()
    assert body["top_k"] == 3 and body["rechunk_job"] is None
    assert runtime.rag_config().top_k == 3, "persisted in the store"
    assert client.get("/api/config/rag").json()["top_k"] == 3


def test_a_chunk_size_change_rechunks_in_the_background(client, runtime):
    before = {d.id: d.layout for d in runtime.store.list_documents()}
    body = client.post("/api/config/rag", json={"preset": "fast"}).json()
    assert body["chunk_size"] == 512 and body["top_k"] == 10
    assert body["rechunk_job"] is not None
    job = wait_job(client, body["rechunk_job"])
    assert job["status"] == "done", job
    after = {d.id: d.layout for d in runtime.store.list_documents()}
    assert set(after) == set(before) and set(after.values()) == {"512/100"}
    assert len(runtime.index) == runtime.store.key_stats(runtime.embedder.model_id)[0]
    hits = client.post("/api/search", json={"query": "Boots self-locking nut"}).json()["hits"]
    assert hits and hits[0]["filename"] == "nuts.md"


def test_bad_values_are_400_naming_the_field(client):
    for body, param in [
        ({"top_k": 0}, "top_k"),
        ({"chunk_overlap": 900, "chunk_size": 1000}, "chunk_overlap"),
        ({"preset": "turbo"}, "preset"),
        ({"top_k": "many"}, "top_k"),
    ]:
        response = client.post("/api/config/rag", json=body)
        assert response.status_code == 400, body
        assert response.json()["error"]["param"] == param
    assert client.get("/api/config/rag").json()["preset"] == "balanced", "nothing was saved"
