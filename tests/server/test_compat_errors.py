"""The compatibility routes' refusals, on fakes: each is a 4xx in the envelope, naming the field."""

from __future__ import annotations

import json

import pytest
from litestar.testing import TestClient

from localchat.errors import ConfigError
from server.app import create_app
from server.catalog import canonical, parse_aliases
from tests.server.conftest import BASE_URL, with_server
from tests.server.test_errors import assert_error

QUESTION = {"role": "user", "content": "What keeps the Boots nut tight?"}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"response_format": {"type": "xml"}}, "response_format.type"),
        ({"response_format": {"type": "json_schema"}}, "response_format.json_schema.schema"),
        ({"n": 3}, "n"),
        ({"top_logprobs": 1}, "top_logprobs"),
    ],
)
def test_chat_features_refused(client, body, param):
    response = client.post(
        "/chat/completions", json={"model": "localchat", "messages": [QUESTION], **body}
    )
    assert_error(response, 400, "invalid_request", param)


def test_json_mode_with_the_fake_generator_bypasses_citation_rewriting(client):
    body = {
        "model": "localchat",
        "messages": [QUESTION],
        "response_format": {"type": "json_object"},
    }
    answer = client.post("/v1/chat/completions", json=body).json()
    message = answer["choices"][0]["message"]
    # The scripted text is returned as generated: its invalid marker [7] is not cleaned.
    assert "[7]" in message["content"] and message["annotations"] == []
    assert answer["sources"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": [{"type": "function_call_output", "content": "x"}]}, "input[0].type"),
        (
            {"input": [{"role": "user", "content": [{"type": "input_image"}]}]},
            "input[0].content[0]",
        ),
        ({"input": "x", "tools": [{"type": "web_search"}]}, "tools"),
        ({"input": "x", "top_logprobs": 2}, "top_logprobs"),
        ({"input": "x", "text": {"format": {"type": "json_schema"}}}, "text.format"),
    ],
)
def test_responses_refusals(client, body, param):
    response = client.post("/v1/responses", json={"model": "localchat", **body})
    code = "tools_unsupported" if param == "tools" else "invalid_request"
    assert_error(response, 400, code, param)


def test_responses_json_object_and_developer_role(client):
    body = {
        "model": "localchat",
        "input": [{"role": "developer", "content": "Be brief."}, QUESTION],
        "text": {"format": {"type": "json_object"}},
    }
    response = client.post("/v1/responses", json=body)
    assert response.status_code == 200
    assert response.json()["output"][0]["content"][0]["annotations"] == []


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/api/chat", {"model": "localchat", "messages": [QUESTION], "format": "yaml"}, "format"),
        (
            "/api/generate",
            {"model": "localchat", "prompt": "x", "options": {"num_predict": 0}},
            "num_predict",
        ),
        ("/api/embed", {"model": "localchat", "input": ["ok", " "]}, "input"),
    ],
)
def test_ollama_refusals(client, path, body, param):
    assert_error(client.post(path, json=body), 400, "invalid_request", param)


def test_ollama_unknown_model_is_404(client):
    response = client.post("/api/show", json={"model": "llama3"})
    assert_error(response, 404, "model_not_found", "model")


def test_ollama_streams_ndjson_with_sources_last(client):
    body = {"model": "localchat", "messages": [QUESTION]}
    with client.stream("POST", "/api/chat", json=body) as response:
        lines = [line for line in response.iter_lines() if line]
    assert response.headers["content-type"].startswith("application/x-ndjson")
    parsed = [json.loads(line) for line in lines]
    assert parsed[-1]["done"] and parsed[-1]["sources"]
    assert not any(p["done"] for p in parsed[:-1])


def test_aliases_parse_and_resolve():
    aliases = parse_aliases(("gpt-4o-mini = localchat:fast",))
    assert canonical("gpt-4o-mini", aliases) == "localchat:fast"
    assert canonical("localchat:latest", aliases) == "localchat"
    with pytest.raises(ConfigError):
        parse_aliases(("gpt-4o-mini",))


def test_mcp_is_behind_the_api_keys(settings, runtime):
    app = create_app(with_server(settings, api_keys=("k1",)), resources=runtime)
    with TestClient(app, base_url=BASE_URL) as keyed:
        response = keyed.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    assert_error(response, 401, "invalid_api_key")
