"""Collections over HTTP: ingest into one, list and filter, choose one by model name or field."""

from __future__ import annotations

import openai
import pytest

from server.app import create_app
from tests.server.conftest import BASE_URL, with_server
from tests.server.harness import running_server
from tests.server.test_documents import wait_job

PAPER = b"# Rotor blades\n\nThe titanium rotor blade is balanced with lead weights at the hub.\n"


@pytest.fixture
def papers(client):
    """The fixture library ("default": nuts.md, gophers.txt) plus rotor.md in "papers"."""
    response = client.post(
        "/api/documents",
        files={"file": ("rotor.md", PAPER, "text/markdown")},
        data={"collection": "Papers"},
    )
    assert response.status_code == 202, response.text
    job = wait_job(client, response.json()["id"])
    assert job["status"] == "done" and job["collection"] == "papers"
    (document_id,) = job["document_ids"]
    return document_id


def sources(body: dict) -> set[str]:
    return {s["filename"] for s in body["sources"]}


def chat(client, model="localchat", **extra):
    messages = [{"role": "user", "content": "which nut or rotor blade holds tight?"}]
    return client.post("/v1/chat/completions", json={"model": model, "messages": messages} | extra)


def test_documents_list_their_collections_and_filter_by_one(client, papers):
    listed = client.get("/api/documents").json()["data"]
    assert {d["filename"]: d["collections"] for d in listed} == {
        "gophers.txt": ["default"],
        "nuts.md": ["default"],
        "rotor.md": ["papers"],
    }
    only = client.get("/api/documents", params={"collection": "papers"}).json()["data"]
    assert [d["id"] for d in only] == [papers]
    assert client.get(f"/api/documents/{papers}").json()["collections"] == ["papers"]
    missing = client.get("/api/documents", params={"collection": "nope"})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "collection_not_found"


def test_path_ingest_takes_a_collection(settings, runtime, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "fan.txt").write_text("The cooling fan spins at two thousand revolutions.\n")
    app = create_app(with_server(settings, allowed_roots=(str(root),)), resources=runtime)
    from litestar.testing import TestClient

    with TestClient(app, base_url=BASE_URL) as client:
        body = {"paths": [str(root / "fan.txt")], "collection": "hardware"}
        job = wait_job(client, client.post("/api/documents", json=body).json()["id"])
        assert job["status"] == "done" and job["collection"] == "hardware"
        listed = client.get("/api/documents", params={"collection": "hardware"}).json()["data"]
        assert [d["filename"] for d in listed] == ["fan.txt"]
        bad = client.post("/api/documents", json={"paths": [str(root)], "collection": "a/b"})
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "collection"


def test_models_list_one_name_per_collection(client, papers):
    ids = [m["id"] for m in client.get("/v1/models").json()["data"]]
    assert "localchat/papers" in ids and "localchat/default" not in ids
    assert client.get("/v1/models/localchat/papers").json()["id"] == "localchat/papers"
    missing = client.get("/v1/models/localchat/nope")
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert error["code"] == "collection_not_found" and "papers" in error["message"] + str(error)


def test_the_model_name_or_the_field_chooses_the_collection(client, papers):
    assert sources(chat(client).json()) <= {"nuts.md", "gophers.txt"}
    assert sources(chat(client, "localchat/papers").json()) == {"rotor.md"}
    assert sources(chat(client, "localchat:fast/papers").json()) == {"rotor.md"}
    assert sources(chat(client, collection="papers").json()) == {"rotor.md"}
    assert sources(chat(client, "localchat/papers", collection="PAPERS").json()) == {"rotor.md"}
    assert "rotor.md" in sources(chat(client, "localchat/all").json())


def test_conflicting_or_unknown_collections_are_clear_errors(client, papers):
    conflict = chat(client, "localchat/papers", collection="default")
    assert conflict.status_code == 400 and conflict.json()["error"]["param"] == "collection"
    unknown = chat(client, "localchat/nope")
    assert unknown.status_code == 404
    error = unknown.json()["error"]
    assert error["code"] == "collection_not_found" and error["type"] == "invalid_request_error"
    assert "localchat collections" in error["message"]
    streamed = chat(client, "localchat/nope", stream=True)
    assert streamed.status_code == 404  # before the stream starts


def test_search_responses_and_ollama_take_the_collection(client, papers):
    hits = client.post("/api/search", json={"query": "rotor blade", "collection": "papers"})
    assert hits.json()["collection"] == "papers"
    assert {h["filename"] for h in hits.json()["hits"]} == {"rotor.md"}
    default = client.post("/api/search", json={"query": "rotor blade"}).json()
    assert "rotor.md" not in {h["filename"] for h in default["hits"]}

    response = client.post(
        "/v1/responses",
        json={"model": "localchat", "input": "rotor blade?", "collection": "papers"},
    )
    assert response.status_code == 200, response.text
    assert {s["filename"] for s in response.json()["sources"]} == {"rotor.md"}

    tags = [m["name"] for m in client.get("/api/tags").json()["models"]]
    assert any(name.startswith("localchat/papers") for name in tags)
    body = {
        "model": "localchat/papers:latest",
        "messages": [{"role": "user", "content": "rotor blade?"}],
        "stream": False,
    }
    answer = client.post("/api/chat", json=body)
    assert answer.status_code == 200, answer.text
    assert {s["filename"] for s in answer.json()["sources"]} == {"rotor.md"}


def test_the_openai_sdk_names_a_collection_by_model_or_extra_body(settings, runtime, tmp_path):
    (tmp_path / "rotor.md").write_bytes(PAPER)
    assert runtime.library.ingest([tmp_path / "rotor.md"], collection="papers").failed == 0
    with running_server(create_app(settings, resources=runtime)) as base_url:
        sdk = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)
        assert "localchat/papers" in [m.id for m in sdk.models.list()]
        question = [{"role": "user", "content": "which rotor blade?"}]
        by_model = sdk.chat.completions.create(model="localchat/papers", messages=question)
        assert by_model.model == "localchat/papers"
        assert {s["filename"] for s in by_model.model_extra["sources"]} == {"rotor.md"}
        by_field = sdk.chat.completions.create(
            model="localchat", messages=question, extra_body={"collection": "papers"}
        )
        assert {s["filename"] for s in by_field.model_extra["sources"]} == {"rotor.md"}
        with pytest.raises(openai.NotFoundError) as caught:
            sdk.chat.completions.create(model="localchat/nope", messages=question)
        assert caught.value.body["code"] == "collection_not_found"
