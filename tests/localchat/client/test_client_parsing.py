"""The client's translations: error envelopes, stream chunks, settings for a child server."""

from __future__ import annotations

import json

from localchat import errors
from localchat.client import error_from_response, settings_env, stream_events
from localchat.config import load_settings


def envelope(message: str, code: str, param=None) -> bytes:
    body = {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    return json.dumps({"error": body}).encode()


def test_known_code_maps_to_its_class_and_keeps_the_next_step():
    server_text = (
        "the document 9 does not exist. List documents with GET /api/documents. "
        "See docs/troubleshooting.md#document-not-found"
    )
    error = error_from_response(404, envelope(server_text, "document_not_found", "id"))
    assert isinstance(error, errors.DocumentNotFoundError)
    assert error.param == "id"
    # The docs pointer appears once, not twice.
    assert error.user_message().count("See docs/troubleshooting.md#document-not-found") == 1
    assert "List documents with GET /api/documents" in error.user_message()


def test_unknown_code_falls_back_on_status_but_keeps_the_code():
    error = error_from_response(400, envelope("a newer server's error", "brand_new_code"))
    assert isinstance(error, errors.InvalidRequestError)
    assert error.code == "brand_new_code"
    assert error.docs_anchor.endswith("#brand-new-code")


def test_non_json_5xx_is_still_a_readable_error():
    error = error_from_response(502, b"<html>Bad gateway</html>")
    assert isinstance(error, errors.LocalChatError)
    assert "HTTP 502" in error.message and "localchat doctor" in error.hint


def test_stream_chunks_become_sources_deltas_and_done():
    first = {
        "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}],
        "sources": [{"index": 1, "filename": "a.md", "page": 2, "bm25_rank": 1, "cosine": 0.7}],
    }
    middle = {"choices": [{"index": 0, "delta": {"content": "Yes [1]."}, "finish_reason": None}]}
    note = {
        "type": "url_citation",
        "url_citation": {
            "start_index": 4,
            "end_index": 7,
            "url": "localchat://documents/1",
            "title": "a",
        },
    }
    last = {"choices": [{"index": 0, "delta": {"annotations": [note]}, "finish_reason": "stop"}]}
    events = [e for chunk in (first, middle, last) for e in stream_events(chunk)]
    assert [e.kind for e in events] == ["sources", "delta", "done"]
    assert events[0].sources[0].filename == "a.md" and events[0].sources[0].cosine == 0.7
    assert events[1].text == "Yes [1]."
    assert events[2].finish_reason == "stop"
    assert events[2].citations[0].start_index == 4


def test_an_error_inside_a_stream_raises():
    chunk = {"error": {"message": "model failed", "code": "generation_failed"}}
    try:
        stream_events(chunk)
    except errors.GenerationError as exc:
        assert "model failed" in exc.message
    else:
        raise AssertionError("an error chunk must raise")


def test_settings_survive_the_trip_through_the_environment(tmp_path):
    env = {
        "LOCALCHAT_SERVER_PORT": "9999",
        "LOCALCHAT_CACHE_ENABLED": "false",
        "LOCALCHAT_RAG_TOP_K": "7",
        "LOCALCHAT_SERVER_ALLOWED_ROOTS": "/a,/b",
    }
    original = load_settings(data_dir=tmp_path, environ=env)
    copied = load_settings(data_dir=tmp_path, environ=settings_env(original))
    assert copied == original
