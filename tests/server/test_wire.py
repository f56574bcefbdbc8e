"""Wire types: round trips, unknown fields ignored, translation to the core's types."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localchat.errors import InvalidRequestError
from localchat.wire.chat import (
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChunkChoice,
    ChunkDelta,
    RequestMessage,
    generation_params,
    to_chat_messages,
    wire_finish,
)

roles = st.sampled_from(["system", "developer", "user", "assistant"])
messages = st.lists(
    st.builds(RequestMessage, role=roles, content=st.text(max_size=50)), min_size=1, max_size=5
)


@given(
    messages=messages,
    temperature=st.none() | st.floats(0, 2),
    max_tokens=st.none() | st.integers(1, 4096),
    stream=st.booleans(),
)
def test_chat_request_round_trips(messages, temperature, max_tokens, stream):
    request = ChatCompletionRequest(
        model="localchat",
        messages=messages,
        stream=stream,
        temperature=temperature,
        max_tokens=max_tokens,
    )
    decoded = msgspec.json.decode(msgspec.json.encode(request), type=ChatCompletionRequest)
    assert decoded == request


def test_unknown_fields_are_ignored():
    raw = b'{"model":"m","messages":[{"role":"user","content":"x","extra":1}],"tools":[]}'
    request = msgspec.json.decode(raw, type=ChatCompletionRequest)
    assert request.messages[0].content == "x"


def test_translation_to_core_messages_and_params():
    request = msgspec.json.decode(
        b'{"model":"m","messages":[{"role":"developer","content":"be brief"},'
        b'{"role":"tool","content":"{}"},{"role":"user","content":[{"type":"text","text":"a"},'
        b'{"type":"text","text":"b"}]}],"max_completion_tokens":9,"max_tokens":99,"stop":"END"}',
        type=ChatCompletionRequest,
    )
    core = to_chat_messages(request.messages)
    assert [(m.role, m.content) for m in core] == [("system", "be brief"), ("user", "a\nb")]
    params = generation_params(request, default_max_tokens=512)
    assert (
        params.max_tokens == 9 and params.stop == ("END",) and params.temperature == 0.0
    )  # omitted: greedy


def test_non_text_parts_are_refused_with_their_path():
    request = msgspec.json.decode(
        b'{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio"}]}]}',
        type=ChatCompletionRequest,
    )
    with pytest.raises(InvalidRequestError) as info:
        to_chat_messages(request.messages)
    assert info.value.param == "messages[0].content[0].type"


def test_chunks_omit_unset_fields_but_keep_required_nulls():
    chunk = ChatCompletionChunk(
        id="c", created=1, model="m", choices=[ChunkChoice(delta=ChunkDelta(content="hi"))]
    )
    data = msgspec.json.decode(msgspec.json.encode(chunk))
    assert data["choices"][0] == {
        "delta": {"content": "hi"},
        "finish_reason": None,
        "index": 0,
        "logprobs": None,
    }
    assert "usage" not in data and "sources" not in data
    assert wire_finish("cancelled") == "stop" and wire_finish("length") == "length"
