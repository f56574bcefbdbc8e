"""Every caller mistake answers 4xx in OpenAI's envelope, naming the field; never 422 or 500."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from localchat import errors
from server.app import create_app
from server.errors import SERVER_ERRORS
from tests.conftest import REPO
from tests.server.conftest import BASE_URL, with_server
from tests.server.openapi import validate

USER = {"role": "user", "content": "hello"}


def assert_error(response, status: int, code: str, param: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    validate("ErrorResponse", body)
    error = body["error"]
    assert error["code"] == code
    if param is not None:
        assert error["param"] == param
    assert "docs/troubleshooting.md#" in error["message"]
    assert "Traceback" not in response.text
    return error


CHAT_CASES = [
    ("malformed JSON", b'{"model": "localchat", "messages": [', None),
    ("wrong type", {"model": 1, "messages": [USER]}, "model"),
    ("missing model", {"messages": [USER]}, "model"),
    ("empty messages", {"model": "localchat", "messages": []}, "messages"),
    (
        "bad role",
        {"model": "localchat", "messages": [{"role": "bot", "content": "x"}]},
        "messages[0].role",
    ),
    ("missing role", {"model": "localchat", "messages": [{"content": "x"}]}, "messages[0].role"),
    (
        "content wrong type",
        {"model": "localchat", "messages": [{"role": "user", "content": 5}]},
        "messages[0].content",
    ),
    ("body is an array", [1, 2], None),
    (
        "temperature too high",
        {"model": "localchat", "messages": [USER], "temperature": 5},
        "temperature",
    ),
    ("n above one", {"model": "localchat", "messages": [USER], "n": 2}, "n"),
    (
        # After a user message, a trailing assistant message is a prefill (continued).
        "last message not user",
        {"model": "localchat", "messages": [{"role": "assistant", "content": "hi"}]},
        "messages",
    ),
    (
        "empty question",
        {"model": "localchat", "messages": [{"role": "user", "content": " "}]},
        "messages",
    ),
    (
        "image part",
        {
            "model": "localchat",
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "http://x"}}],
                }
            ],
        },
        "messages[0].content[0].type",
    ),
]


@pytest.mark.parametrize(("case", "body", "param"), CHAT_CASES, ids=[c[0] for c in CHAT_CASES])
def test_bad_chat_requests_are_400_naming_the_field(client, case, body, param):
    if isinstance(body, bytes):
        response = client.post(
            "/v1/chat/completions", content=body, headers={"content-type": "application/json"}
        )
    else:
        response = client.post("/v1/chat/completions", json=body)
    error = assert_error(response, 400, "invalid_request", param)
    assert error["type"] == "invalid_request_error"


def test_bad_stream_request_fails_before_the_stream_starts(client):
    body = {"model": "localchat", "messages": [{"role": "user", "content": ""}], "stream": True}
    assert_error(client.post("/v1/chat/completions", json=body), 400, "invalid_request")


def test_unknown_model_is_404_model_not_found(client):
    error = assert_error(
        client.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": [USER]}),
        404,
        "model_not_found",
        "model",
    )
    assert "localchat:fast" in error["message"]
    assert_error(client.get("/v1/models/gpt-4o"), 404, "model_not_found", "model")


def test_unknown_document_job_and_route_are_404(client):
    assert_error(client.get("/api/documents/999999"), 404, "document_not_found")
    assert_error(client.delete("/api/documents/999999"), 404, "document_not_found")
    assert_error(client.get("/api/jobs/job_nope"), 404, "job_not_found")
    assert_error(client.get("/v1/nothing-here"), 404, "route_not_found")


def test_wrong_method_is_405(client):
    assert_error(client.get("/v1/chat/completions"), 405, "method_not_allowed")


def test_body_over_the_limit_is_413(settings, runtime):
    app = create_app(with_server(settings, max_body_bytes=2048), resources=runtime)
    with TestClient(app, base_url=BASE_URL) as client:
        big = {"model": "localchat", "messages": [{"role": "user", "content": "x" * 5000}]}
        assert_error(client.post("/v1/chat/completions", json=big), 413, "payload_too_large")
        upload = {"file": ("big.txt", b"y" * 5000, "text/plain")}
        assert_error(client.post("/api/documents", files=upload), 413, "payload_too_large")


def test_context_overflow_is_400(client):
    question = {"role": "user", "content": "What keeps the Boots self-locking nut tight?"}
    body = {"model": "localchat", "messages": [question], "max_tokens": 100_000}
    assert_error(client.post("/v1/chat/completions", json=body), 400, "context_length_exceeded")


def test_every_error_code_has_a_troubleshooting_section():
    doc = (REPO / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', doc))
    classes = {
        c
        for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, errors.LocalChatError)
    }
    for cls in classes | set(SERVER_ERRORS):
        anchor = cls("x").docs_anchor.split("#", 1)[1]
        assert anchor in anchors, f"{cls.code} has no section in docs/troubleshooting.md"
