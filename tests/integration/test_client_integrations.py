"""The real server (uvicorn, bundled models) with the clients people plug in: the openai SDK on
the OpenAI gaps (unprefixed routes, JSON mode, tools, n, logprobs, prefill, aliases, token-id
embeddings, the Responses API), the `ollama` client, and the MCP SDK over Streamable HTTP."""

from __future__ import annotations

import json

import anyio
import httpx
import numpy as np
import ollama
import openai
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from openai.types.responses import Response

from localchat.config import load_settings
from localchat.modelfiles.locate import bundled_minilm_dir
from server.app import create_app
from tests.integration.mcp_checks import exercise, payload
from tests.server.harness import read_files, running_server, upload_and_wait, write_docs
from tests.server.openapi import validate
from tests.server.responses_schema import validate_response, validate_stream_event

NUT = "What keeps a Boots self-locking nut tight under vibration?"
GENERATOR = "SmolLM2-135M-Instruct.Q4_1"
YES_NO = {
    "type": "object",
    "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
    "required": ["answer"],
}


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    return tmp_path_factory.mktemp("allowed")


@pytest.fixture(scope="module")
def base(tmp_path_factory, roots):
    docs = write_docs(tmp_path_factory.mktemp("docs"))
    environ = {
        "LOCALCHAT_SERVER_MODEL_ALIASES": "gpt-4o-mini=localchat:fast,"
        "text-embedding-3-small=localchat",
        "LOCALCHAT_SERVER_ALLOWED_ROOTS": str(roots),
        "LOCALCHAT_MCP_ALLOW_INGEST": "true",
        "LOCALCHAT_MODELS_MAX_ANSWER_TOKENS": "24",
    }
    settings = load_settings(data_dir=tmp_path_factory.mktemp("data"), environ=environ)
    with running_server(create_app(settings), timeout=300) as url:
        upload_and_wait(url, read_files(docs, "text/plain"))
        yield url


@pytest.fixture(scope="module")
def client(base):
    return openai.OpenAI(base_url=f"{base}/v1", api_key="x", max_retries=0)


def ask(client, **extra):
    return client.chat.completions.create(
        model="localchat:fast", messages=[{"role": "user", "content": NUT}], **extra
    )


# -- OpenAI gaps ---------------------------------------------------------------------------


def test_unprefixed_routes(base):
    bare = openai.OpenAI(base_url=base, api_key="x", max_retries=0)
    assert "localchat" in [m.id for m in bare.models.list()]
    validate("ListModelsResponse", httpx.get(f"{base}/models").json())
    raw = bare.chat.completions.with_raw_response.create(
        model=GENERATOR, messages=[{"role": "user", "content": "Say hi."}], max_tokens=4
    )
    validate("CreateChatCompletionResponse", json.loads(raw.http_response.text))
    assert raw.parse().choices[0].message.content
    vectors = bare.embeddings.create(model="localchat", input="nut")
    assert len(vectors.data[0].embedding) == 384
    body = {"model": "localchat", "input": "nut", "encoding_format": "float"}
    validate("CreateEmbeddingResponse", httpx.post(f"{base}/embeddings", json=body).json())
    text = httpx.post(f"{base}/completions", json={"model": GENERATOR, "prompt": "Go is"})
    assert text.status_code == 200 and text.json()["choices"][0]["text"]


def test_openapi_document_of_own_routes(base):
    spec = httpx.get(f"{base}/schema/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    assert {"/v1/chat/completions", "/v1/responses", "/api/documents", "/api/search"} <= paths
    assert not paths & {"/chat/completions", "/api/chat", "/api/tags", "/mcp"}


def test_json_schema_is_enforced_with_retrieval(client, base):
    raw = client.chat.completions.with_raw_response.create(
        model="localchat:fast",
        messages=[{"role": "user", "content": f"{NUT} Is it a spring?"}],
        max_tokens=40,
        response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": YES_NO}},
    )
    body = json.loads(raw.http_response.text)
    validate("CreateChatCompletionResponse", body)
    message = body["choices"][0]["message"]
    assert json.loads(message["content"])["answer"] in ("yes", "no")
    assert message["annotations"] == []  # no markers were written into the JSON
    assert body["sources"][0]["filename"] == "nuts.md"


def test_json_object_mode_gives_json(client):
    answer = ask(client, max_tokens=200, response_format={"type": "json_object"})
    text = answer.choices[0].message.content
    assert text.lstrip().startswith("{")
    if answer.choices[0].finish_reason == "stop":
        assert isinstance(json.loads(text), dict)


def test_unsupported_schema_is_a_clear_400(client):
    with pytest.raises(openai.BadRequestError) as bad:
        ask(client, response_format={"type": "json_schema", "json_schema": {"name": "a"}})
    assert bad.value.body["param"] == "response_format.json_schema.schema"


@pytest.mark.parametrize(
    ("extra", "code", "param"),
    [
        ({"n": 2}, "invalid_request", "n"),
        ({"logprobs": True}, "invalid_request", "logprobs"),
        ({"top_logprobs": 2, "logprobs": True}, "invalid_request", "logprobs"),
        (
            {
                "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
                "tool_choice": "required",
            },
            "tools_unsupported",
            "tools",
        ),
    ],
)
def test_refused_features_are_400s(client, extra, code, param):
    with pytest.raises(openai.BadRequestError) as bad:
        ask(client, max_tokens=4, **extra)
    assert (bad.value.body["code"], bad.value.body["param"]) == (code, param)


def test_tool_history_is_refused_not_dropped(client):
    messages = [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
        {"role": "user", "content": "so?"},
    ]
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model=GENERATOR, messages=messages, max_tokens=4)
    assert bad.value.body["code"] == "tools_unsupported"


def test_tool_choice_none_answers_without_tools(client):
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    answer = ask(client, max_tokens=8, tools=tools, tool_choice="none")
    assert answer.choices[0].message.content and not answer.choices[0].message.tool_calls


def test_trailing_assistant_message_is_continued(client):
    messages = [
        {"role": "user", "content": "Count from one to ten in words."},
        {"role": "assistant", "content": "one, two, three,"},
    ]
    answer = client.chat.completions.create(
        model=GENERATOR, messages=messages, max_tokens=8, temperature=0
    )
    text = answer.choices[0].message.content
    assert "four" in text.lower() and not text.lower().lstrip().startswith("one")


def test_model_aliases(client):
    ids = [m.id for m in client.models.list()]
    assert {"gpt-4o-mini", "text-embedding-3-small"} <= set(ids)
    answer = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": NUT}], max_tokens=8
    )
    assert answer.model == "gpt-4o-mini" and answer.choices[0].message.content
    assert client.models.retrieve("gpt-4o-mini").id == "gpt-4o-mini"
    vectors = client.embeddings.create(model="text-embedding-3-small", input="nut")
    assert len(vectors.data[0].embedding) == 384


def test_token_id_embeddings(client, base):
    by_text = client.embeddings.create(model="localchat", input="self-locking nut")
    vocab = (bundled_minilm_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    words = ["[CLS]", "self", "-", "locking", "nut", "[SEP]"]
    ids = [vocab.index(word) for word in words]  # MiniLM's own WordPiece ids
    one = client.embeddings.create(model="localchat", input=ids)
    many = client.embeddings.create(model="localchat", input=[ids, ids[:3]])
    a, b = np.array(by_text.data[0].embedding), np.array(one.data[0].embedding)
    assert float(a @ b) > 0.999
    assert len(many.data) == 2 and one.usage.prompt_tokens == len(ids)
    with pytest.raises(openai.BadRequestError) as bad:
        client.embeddings.create(model="localchat", input=[10**9])
    assert bad.value.body["param"] == "input[0]"


# -- Responses API -------------------------------------------------------------------------


def test_responses_whole(client, base):
    raw = client.responses.with_raw_response.create(
        model="localchat:fast", input=NUT, instructions="Answer briefly.", max_output_tokens=24
    )
    body = json.loads(raw.http_response.text)
    validate_response(body)
    response = raw.parse()
    assert isinstance(response, Response) and response.output_text
    part = body["output"][0]["content"][0]
    assert body["sources"][0]["filename"] == "nuts.md"
    for annotation in part["annotations"]:
        if annotation["type"] == "url_citation":
            assert annotation["url"].startswith("localchat://documents/")
            assert part["text"][annotation["start_index"] : annotation["end_index"]]
        else:
            assert annotation["type"] == "file_citation" and annotation["filename"]


def test_responses_stream(client):
    events = list(
        client.responses.create(
            model="localchat:fast",
            input=[{"role": "user", "content": [{"type": "input_text", "text": NUT}]}],
            max_output_tokens=24,
            stream=True,
        )
    )
    kinds = [e.type for e in events]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds[-1] in ("response.completed", "response.incomplete")
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    done = next(e for e in events if e.type == "response.output_text.done")
    assert deltas == done.text and deltas.strip()
    assert [e.sequence_number for e in events] == list(range(len(events)))
    validate_response(events[-1].response.model_dump(mode="json"))


def test_responses_raw_events_match_the_schema(base):
    body = {"model": "localchat:fast", "input": NUT, "stream": True, "max_output_tokens": 16}
    with httpx.stream("POST", f"{base}/v1/responses", json=body, timeout=120) as response:
        lines = list(response.iter_lines())
    names = [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
    events = [json.loads(line[6:]) for line in lines if line.startswith("data: ")]
    assert len(names) == len(events) > 6
    for name, event in zip(names, events, strict=True):
        assert event["type"] == name
        validate_stream_event(event)


def test_responses_refusals(client):
    with pytest.raises(openai.BadRequestError) as bad:
        client.responses.create(model="localchat", input="x", previous_response_id="resp_1")
    assert bad.value.body["param"] == "previous_response_id"
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model="nope", input="x")


# -- Ollama ----------------------------------------------------------------------------------


def test_ollama_client(base):
    api = ollama.Client(host=base)
    names = [m.model for m in api.list().models]
    assert "localchat" in names and GENERATOR in names
    assert api.show("localchat:fast").modelinfo["localchat.preset"] == "fast"
    reply = api.chat(
        model="localchat:fast:latest",  # Ollama clients add the tag
        messages=[{"role": "user", "content": NUT}],
        options={"num_predict": 16},
    )
    assert reply.done and reply.message.content
    raw = httpx.post(  # the client's types drop extension fields: read the sources raw
        f"{base}/api/chat",
        json={
            "model": "localchat:fast",
            "stream": False,
            "messages": [{"role": "user", "content": NUT}],
            "options": {"num_predict": 8},
        },
        timeout=120,
    ).json()
    assert raw["done"] and raw["sources"][0]["filename"] == "nuts.md"
    pieces = list(
        api.chat(
            model="localchat:fast",
            messages=[{"role": "user", "content": NUT}],
            stream=True,
            options={"num_predict": 16},
        )
    )
    assert pieces[-1].done and not any(p.done for p in pieces[:-1])
    assert "".join(p.message.content for p in pieces).strip()
    generated = api.generate(model=GENERATOR, prompt="Say hi.", options={"num_predict": 4})
    assert generated.response and generated.done
    streamed = list(
        api.generate(model=GENERATOR, prompt="Hi", stream=True, options={"num_predict": 4})
    )
    assert streamed[-1].done
    embedded = api.embed(model="localchat", input=["nut", "bolt"])
    assert np.array(embedded.embeddings).shape == (2, 384)
    assert len(api.embeddings(model="localchat", prompt="nut").embedding) == 384
    as_json = api.chat(
        model="localchat:fast",
        messages=[{"role": "user", "content": f"{NUT} Is it a spring?"}],
        format=YES_NO,
        options={"num_predict": 40},
    )
    assert json.loads(as_json.message.content)["answer"] in ("yes", "no")
    assert httpx.get(f"{base}/api/version").json()["version"]


def test_ollama_errors(base):
    api = ollama.Client(host=base)
    with pytest.raises(ollama.ResponseError) as missing:
        api.chat(model="llama3", messages=[{"role": "user", "content": "x"}])
    assert missing.value.status_code == 404
    assert "model_not_found" in str(missing.value)
    assert api.chat(model="localchat", messages=[]).done_reason == "load"
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    with pytest.raises(ollama.ResponseError) as refused:
        api.chat(model="localchat", messages=[{"role": "user", "content": "x"}], tools=tools)
    assert refused.value.status_code == 400 and "tools_unsupported" in str(refused.value)
    # LocalChat's own /api routes still answer beside Ollama's.
    assert httpx.get(f"{base}/api/documents").status_code == 200


# -- MCP over Streamable HTTP ----------------------------------------------------------------


def test_mcp_over_http(base, roots):
    extra = roots / "extra.md"
    extra.write_text("# Torque\n\nCastle nuts take a cotter pin through the bolt.\n")

    async def run() -> dict:
        async with (
            streamable_http_client(f"{base}/mcp") as streams,
            ClientSession(streams[0], streams[1]) as session,
        ):
            checked = await exercise(session, NUT, "nuts.md")
            ingest = {"paths": [str(extra)]}
            checked["ingested"] = payload(await session.call_tool("ingest_paths", ingest))
            return checked

    checked = anyio.run(run)
    assert "outside the allowed roots" in checked["errors"]["outside roots"]
    assert checked["ingested"]["added"] == 1 and checked["ingested"]["status"] == "done"


def test_mcp_refuses_foreign_origins(base):
    response = httpx.post(
        f"{base}/mcp",
        headers={"Origin": "https://evil.example", "Content-Type": "application/json"},
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
    )
    # The app's cross-site guard refuses the POST; /mcp's own Origin check covers its GET too.
    assert response.status_code == 403
    assert response.json()["error"]["code"] in ("cross_site_request", "origin_not_allowed")
    stream = httpx.get(
        f"{base}/mcp", headers={"Origin": "https://evil.example", "Accept": "text/event-stream"}
    )
    assert stream.status_code == 403
    assert stream.json()["error"]["code"] == "origin_not_allowed"
