"""OpenAI chat-completion wire types: the request as clients send it, the response and chunks.

Unknown request fields (user, logit_bias, …) are accepted and ignored, as OpenAI-style clients
send many; fields that change the answer's shape (tools, response_format, n, logprobs) are
honoured or refused (localchat.wire.features), never ignored. Response structs keep OpenAI's
required nulls (`refusal`, `logprobs`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from localchat.errors import InvalidRequestError
from localchat.generation.base import ChatMessage, GenerationParams
from localchat.wire.features import json_schema_of
from localchat.wire.sources import Annotation, SourceEntry

Role = Literal["system", "developer", "user", "assistant", "tool", "function"]
WireFinish = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]


# -- request -----------------------------------------------------------------------------------


class ContentPart(msgspec.Struct):
    """One part of an array-form message content; only "text" parts carry text LocalChat uses."""

    type: str
    text: str | None = None


class RequestMessage(msgspec.Struct):
    role: Role
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None


class ResponseFormat(msgspec.Struct):
    type: str
    json_schema: dict[str, Any] | None = None


class StreamOptions(msgspec.Struct):
    include_usage: bool = False


class ChatCompletionRequest(msgspec.Struct):
    model: str
    messages: Annotated[list[RequestMessage], Meta(min_length=1)]
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: Annotated[int, Meta(ge=1)] | None = None
    max_completion_tokens: Annotated[int, Meta(ge=1)] | None = None
    temperature: Annotated[float, Meta(ge=0, le=2)] | None = None
    top_p: Annotated[float, Meta(gt=0, le=1)] | None = None
    stop: str | Annotated[list[str], Meta(max_length=4)] | None = None
    seed: int | None = None
    n: Annotated[int, Meta(ge=1)] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    response_format: ResponseFormat | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    # LocalChat extension: "extractive", "generative" or "auto" (default rag.answer_mode).
    answer_mode: str | None = None
    # LocalChat extension: the collection to answer from (a collection in the model name wins
    # when both agree; None: "default").
    collection: str | None = None


# -- response ----------------------------------------------------------------------------------


class ResponseMessage(msgspec.Struct):
    content: str
    annotations: list[Annotation]
    role: str = "assistant"
    refusal: None = None


class Choice(msgspec.Struct):
    message: ResponseMessage
    finish_reason: WireFinish
    index: int = 0
    logprobs: None = None


class LocalChatUsage(msgspec.Struct):
    """LocalChat's extension of `usage`: how the context budget was spent."""

    sources_used: int = 0
    sources_dropped: int = 0
    invalid_markers: int = 0
    retrieval_ms: float = 0.0


class CompletionUsage(msgspec.Struct):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    localchat: LocalChatUsage | UnsetType = UNSET


class ChatCompletion(msgspec.Struct):
    id: str
    created: int
    model: str
    choices: list[Choice]
    usage: CompletionUsage
    sources: list[SourceEntry]
    object: str = "chat.completion"


# -- stream ------------------------------------------------------------------------------------


class ChunkDelta(msgspec.Struct):
    role: str | UnsetType = UNSET
    content: str | UnsetType = UNSET
    annotations: list[Annotation] | UnsetType = UNSET


class ChunkChoice(msgspec.Struct):
    delta: ChunkDelta
    finish_reason: WireFinish | None = None
    index: int = 0
    logprobs: None = None


class ChatCompletionChunk(msgspec.Struct):
    id: str
    created: int
    model: str
    choices: list[ChunkChoice]
    object: str = "chat.completion.chunk"
    # Present (null until the last chunk) only when stream_options.include_usage is set.
    usage: CompletionUsage | UnsetType | None = UNSET
    # LocalChat extension: the numbered sources, on the first chunk only.
    sources: list[SourceEntry] | UnsetType = UNSET


def wire_finish(reason: str) -> WireFinish:
    """OpenAI has no "cancelled": a stopped generation ended early, as at a stop sequence."""
    return "length" if reason == "length" else "stop"


# -- translation to the core's types -----------------------------------------------------------


def message_text(message: RequestMessage, index: int) -> str:
    """The text of a message; array content keeps its text parts (others are refused)."""
    if message.content is None:
        return ""
    if isinstance(message.content, str):
        return message.content
    texts = []
    for number, part in enumerate(message.content):
        if part.type != "text" or part.text is None:
            raise InvalidRequestError(
                f"messages[{index}].content[{number}] is a {part.type!r} part; "
                "only text parts are supported",
                hint="send text content (LocalChat's models read text only)",
                param=f"messages[{index}].content[{number}].type",
            )
        texts.append(part.text)
    return "\n".join(texts)


def to_chat_messages(messages: list[RequestMessage]) -> list[ChatMessage]:
    """Core messages: developer folds into system; a trailing assistant message is the prefill
    (see prefill_of), not a turn. Tool messages were refused before (wire.features)."""
    out = []
    for index, message in enumerate(messages[: len(messages) - (1 if _prefilled(messages) else 0)]):
        if message.role in ("tool", "function"):
            continue
        role = "system" if message.role == "developer" else message.role
        out.append(ChatMessage(role, message_text(message, index)))
    return out


def _prefilled(messages: list[RequestMessage]) -> bool:
    return len(messages) > 1 and messages[-1].role == "assistant"


def prefill_of(messages: list[RequestMessage]) -> str:
    """The text of a trailing assistant message, which the answer continues (as OpenAI, vLLM
    and llama.cpp do)."""
    return message_text(messages[-1], len(messages) - 1) if _prefilled(messages) else ""


def stop_sequences(stop: str | list[str] | None) -> tuple[str, ...]:
    if stop is None:
        return ()
    return (stop,) if isinstance(stop, str) else tuple(s for s in stop if s)


def generation_params(request: ChatCompletionRequest, default_max_tokens: int) -> GenerationParams:
    defaults = GenerationParams()
    return GenerationParams(
        max_tokens=request.max_completion_tokens or request.max_tokens or default_max_tokens,
        # Omitted temperature means greedy decoding: answers from documents should be
        # repeatable (and so cacheable); a client that wants sampling says so.
        temperature=0.0 if request.temperature is None else request.temperature,
        top_p=defaults.top_p if request.top_p is None else request.top_p,
        stop=stop_sequences(request.stop),
        seed=request.seed,
        json_schema=json_schema_of(request.response_format),
        prefill=prefill_of(request.messages),
    )
