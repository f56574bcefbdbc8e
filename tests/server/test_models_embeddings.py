"""GET /v1/models, POST /v1/embeddings and the legacy POST /v1/completions on fakes."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from tests.server.harness import sse_events
from tests.server.openapi import validate


def test_models_lists_presets_generator_and_embedder(client, runtime):
    body = client.get("/v1/models").json()
    validate("ListModelsResponse", body)
    ids = [m["id"] for m in body["data"]]
    rag = ["localchat", "localchat:fast", "localchat:balanced", "localchat:accurate"]
    # Then every chat model found on this machine, with and without retrieval (Continue and
    # Open WebUI users pick from this list), then the embedder.
    others = [
        name
        for model in runtime.chat_model_names()
        for name in (*(f"{r}@{model}" for r in rag), model)
    ]
    assert runtime.chat_model_names(), "discovery finds at least the bundled SmolLM2"
    assert ids == [*rag, "scripted", *others, runtime.embedder.model_id]
    assert {m["owned_by"] for m in body["data"]} == {"localchat"}
    one = client.get("/v1/models/localchat:fast")
    assert one.status_code == 200
    validate("Model", one.json())
    assert one.json()["id"] == "localchat:fast"


def test_embeddings_float_and_base64_agree(client, runtime):
    texts = ["self-locking nut", "goroutines and channels"]
    floats = client.post(
        "/v1/embeddings", json={"model": runtime.embedder.model_id, "input": texts}
    )
    assert floats.status_code == 200
    body = floats.json()
    validate("CreateEmbeddingResponse", body)
    assert [d["index"] for d in body["data"]] == [0, 1]
    expected = runtime.embedder.embed(texts)
    got = np.array([d["embedding"] for d in body["data"]], dtype=np.float32)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert body["usage"]["prompt_tokens"] == body["usage"]["total_tokens"] > 0
    packed = client.post(
        "/v1/embeddings",
        json={"model": "localchat", "input": texts[0], "encoding_format": "base64"},
    ).json()
    vector = np.frombuffer(base64.b64decode(packed["data"][0]["embedding"]), dtype="<f4")
    np.testing.assert_allclose(vector, expected[0], rtol=1e-6)


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"model": "localchat", "input": ""}, 400, "input"),
        ({"model": "localchat", "input": ["ok", " "]}, 400, "input[1]"),
        ({"model": "localchat", "input": []}, 400, "input"),
        # Token-id arrays are accepted (tests/integration); a mix of kinds is not.
        ({"model": "localchat", "input": ["ok", 3]}, 400, "input"),
        ({"model": "localchat", "input": [[1, 2], []]}, 400, "input"),
        ({"model": "localchat", "input": [1, 2]}, 400, "input"),  # the hash fake has no vocab
        ({"model": "localchat", "input": "x", "dimensions": 12}, 400, "dimensions"),
        ({"model": "localchat", "input": "x", "encoding_format": "hex"}, 400, "encoding_format"),
        ({"model": "text-embedding-3-small", "input": "x"}, 404, "model"),
    ],
)
def test_bad_embedding_requests(client, body, status, param):
    response = client.post("/v1/embeddings", json=body)
    assert response.status_code == status
    validate("ErrorResponse", response.json())
    assert response.json()["error"]["param"] == param


def test_legacy_completion_whole_and_streamed(client, generator):
    body = {"model": "localchat", "prompt": "def add(a, b):", "max_tokens": 4}
    whole = client.post("/v1/completions", json=body)
    assert whole.status_code == 200
    data = whole.json()
    assert data["object"] == "text_completion"
    assert data["choices"][0]["finish_reason"] == "length"
    assert data["usage"]["completion_tokens"] == 4
    assert generator.calls[-1] == "def add(a, b):", "raw prompt, no chat template, no retrieval"
    with client.stream("POST", "/v1/completions", json=body | {"stream": True}) as response:
        events = list(sse_events(response.iter_lines()))
    assert events[-1] == "[DONE]"
    text = "".join(e["choices"][0]["text"] for e in events[:-1])
    assert text == data["choices"][0]["text"]
    assert events[-2]["choices"][0]["finish_reason"] == "length"


def test_a_completion_is_timed_once_through_the_chat_service(client, runtime):
    recording = runtime.telemetry.inner

    def generated() -> list[tuple]:
        return [c for c in recording.calls if c[0] == "generated"]

    before = len(generated())
    body = {"model": "localchat", "prompt": "def add(a, b):", "max_tokens": 4}
    assert client.post("/v1/completions", json=body).status_code == 200
    [call] = generated()[before:]
    tokens, seconds, ttft = call[1:]
    assert tokens == 4 and seconds >= ttft > 0


def test_legacy_completion_unknown_model_is_404(client):
    response = client.post("/v1/completions", json={"model": "davinci", "prompt": "x"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"
