"""SSE rendering: the first text piece is sent at once; annotations ride on the last chunk."""

from __future__ import annotations

import json

from localchat.chat.service import ChatEvent, ChatResult
from server.render import ChatRenderer

ANNOTATION = {"type": "url_citation", "url_citation": {"start_index": 0, "end_index": 5}}


def _result(content: str) -> ChatResult:
    return ChatResult(content=content, finish_reason="stop", sources=[], annotations=[ANNOTATION])


def _payload(raw: bytes) -> dict:
    assert raw.startswith(b"data: ")
    return json.loads(raw[6:])


async def test_first_piece_is_sent_before_the_second_is_generated():
    generated: list[str] = []

    async def rest():
        for piece in ("Hello", " world", "!"):
            generated.append(piece)
            yield ChatEvent("delta", text=piece)
        yield ChatEvent("done", result=_result("Hello world!"))

    stream = ChatRenderer("m").stream(ChatEvent("sources", sources=[]), rest())
    role = _payload(await stream.__anext__())
    assert role["choices"][0]["delta"]["role"] == "assistant"
    first = _payload(await stream.__anext__())
    assert first["choices"][0]["delta"]["content"] == "Hello"
    assert generated == ["Hello"]  # not held back waiting for " world"
    chunks = [_payload(raw) async for raw in stream if raw != b"data: [DONE]\n\n"]
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert "".join(d.get("content") or "" for d in deltas) == " world!"
    annotated = [d for d in deltas if "annotations" in d]
    assert annotated == [{"content": "!", "annotations": [ANNOTATION]}]  # the last content
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


async def test_a_one_piece_answer_ends_with_an_empty_annotated_chunk():
    async def rest():
        yield ChatEvent("delta", text="Yes.")
        yield ChatEvent("done", result=_result("Yes."))

    raw = [r async for r in ChatRenderer("m").stream(ChatEvent("sources"), rest())]
    deltas = [_payload(r)["choices"][0]["delta"] for r in raw[:-1]]
    assert deltas[1] == {"content": "Yes."}
    assert deltas[2] == {"content": "", "annotations": [ANNOTATION]}
    assert raw[-1] == b"data: [DONE]\n\n"
