"""POST /v1/chat/completions on fakes: shape, citations, streaming order, cache seam, cancel."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from localchat.generation.scripted import ScriptedGenerator
from server.app import create_app
from tests.server.harness import running_server, sse_events
from tests.server.openapi import validate

QUESTION = {"role": "user", "content": "What keeps the Boots self-locking nut tight?"}


def chat(client, **body):
    payload = {"model": "localchat", "messages": [QUESTION]} | body
    return client.post("/v1/chat/completions", json=payload)


def stream_payloads(client, **body) -> tuple[list, dict]:
    payload = {"model": "localchat", "messages": [QUESTION], "stream": True} | body
    with client.stream("POST", "/v1/chat/completions", json=payload) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return list(sse_events(response.iter_lines())), dict(response.headers)


def test_answer_has_citations_sources_and_usage_extension(client):
    response = chat(client)
    assert response.status_code == 200
    body = response.json()
    validate("CreateChatCompletionResponse", body)
    message = body["choices"][0]["message"]
    assert message["role"] == "assistant" and message["refusal"] is None
    # [7] pointed at no source: removed and counted; [1] kept and annotated.
    assert message["content"] == "The Boots nut holds tight despite vibration [1]. See also."
    (annotation,) = message["annotations"]
    span = annotation["url_citation"]
    assert message["content"][span["start_index"] : span["end_index"]] == "[1]"
    assert span["url"].startswith("localchat://documents/")
    first = body["sources"][0]
    assert first["index"] == 1 and first["filename"] == "nuts.md" and first["page"] == 1
    assert {"document_id", "chunk_index", "relevance", "preview"} <= first.keys()
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    assert usage["localchat"]["invalid_markers"] == 1
    assert usage["localchat"]["sources_used"] == len(body["sources"]) >= 1
    assert response.headers["x-localchat-cache"] == "miss"


def test_stream_order_matches_the_contract(client):
    payloads, headers = stream_payloads(client, stream_options={"include_usage": True})
    assert payloads[-1] == "[DONE]"
    chunks = payloads[:-1]
    for chunk in chunks:
        validate("CreateChatCompletionStreamResponse", chunk)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[0]["sources"][0]["filename"] == "nuts.md"
    assert all("sources" not in c for c in chunks[1:])
    usage_chunk, finish_chunk = chunks[-1], chunks[-2]
    assert usage_chunk["choices"] == [] and usage_chunk["usage"]["completion_tokens"] > 0
    assert finish_chunk["choices"][0]["finish_reason"] == "stop"
    assert all(c["usage"] is None for c in chunks[:-1])
    content_chunks = [c for c in chunks[:-2] if c["choices"][0]["delta"].get("content")]
    annotated = [c for c in chunks[:-1] if "annotations" in c["choices"][0]["delta"]]
    assert annotated == [content_chunks[-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks[:-1])
    assert text == chat(client).json()["choices"][0]["message"]["content"]
    assert headers["x-localchat-cache"] in ("miss", "l1", "l2", "semantic")


def test_stream_without_usage_option_has_no_usage(client):
    payloads, _ = stream_payloads(client)
    assert all("usage" not in chunk for chunk in payloads[:-1])


def test_bare_generator_model_is_plain_chat_without_sources(client, generator):
    response = chat(client, model=generator.model_id, messages=[{"role": "user", "content": "hi"}])
    assert response.status_code == 200
    body = response.json()
    assert body["sources"] == [] and body["choices"][0]["message"]["annotations"] == []
    assert body["model"] == generator.model_id
    sent = generator.calls[-1]
    assert [(m.role, m.content) for m in sent] == [("user", "hi")]


@pytest.mark.parametrize("model", ["localchat:fast", "localchat:balanced", "localchat:accurate"])
def test_preset_models_answer_with_retrieval(client, generator, model):
    response = chat(client, model=model)
    assert response.status_code == 200
    assert response.json()["sources"], "a preset model retrieves"
    prompt = "\n".join(m.content for m in generator.calls[-1])
    assert "Boots" in prompt


def test_unknown_fields_are_ignored_and_parameters_reach_the_generator(client, generator):
    response = chat(
        client,
        # tools are not an unknown field: they are refused (tests/integration), never ignored.
        user="someone",
        frequency_penalty=0.5,
        max_tokens=3,
        stop=["never"],
        seed=7,
        n=1,
        messages=[{"role": "developer", "content": "Be brief."}, QUESTION],
    )
    assert response.status_code == 200
    assert response.json()["choices"][0]["finish_reason"] == "length"
    assert response.json()["usage"]["completion_tokens"] == 3


def test_array_content_with_text_parts_is_read(client, generator):
    parts = [
        {"type": "text", "text": "What keeps the Boots nut"},
        {"type": "text", "text": "tight?"},
    ]
    response = chat(client, messages=[{"role": "user", "content": parts}])
    assert response.status_code == 200
    assert "What keeps the Boots nut\ntight?" in generator.calls[-1][-1].content


def test_no_cache_header_always_answers_fresh(client, generator):
    first = chat(client)
    assert first.headers["x-localchat-cache"] == "miss"
    calls = len(generator.calls)
    again = client.post(
        "/v1/chat/completions",
        json={"model": "localchat", "messages": [QUESTION]},
        headers={"Cache-Control": "no-cache"},
    )
    assert again.headers["x-localchat-cache"] == "miss"
    assert len(generator.calls) == calls + 1, "no-cache must generate again"


def test_a_disconnecting_stream_client_stops_generation(settings, runtime):
    words = " ".join(f"word{i}" for i in range(400))
    runtime.set_generator(ScriptedGenerator([words], delay=0.01))
    app = create_app(settings, resources=runtime)
    with running_server(app) as base:
        body = {
            "model": "scripted",
            "messages": [{"role": "user", "content": "go"}],
            "stream": True,
        }
        with httpx.stream("POST", f"{base}/v1/chat/completions", json=body, timeout=30) as r:
            lines = r.iter_lines()
            for _ in range(6):
                next(lines)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            generated = [c for c in runtime.telemetry.inner.calls if c[0] == "generated"]
            if generated:
                break
            time.sleep(0.05)
        assert generated, "the generation never finished"
        assert generated[-1][1] < 200, "generation went on after the client left"


def test_a_slow_answer_does_not_block_other_requests(settings, runtime):
    runtime.set_generator(ScriptedGenerator([" ".join(["slow"] * 60)], delay=0.02))
    app = create_app(settings, resources=runtime)
    with running_server(app) as base:
        body = {"model": "scripted", "messages": [{"role": "user", "content": "go"}]}
        worker = threading.Thread(
            target=lambda: httpx.post(f"{base}/v1/chat/completions", json=body, timeout=30)
        )
        worker.start()
        time.sleep(0.2)  # the answer is being generated now
        started = time.perf_counter()
        assert httpx.get(f"{base}/api/health/live", timeout=5).status_code == 200
        assert time.perf_counter() - started < 0.5
        worker.join(30)
