"""OpenAI Responses API wire types (POST /v1/responses): text in, text out, streamed events.

Citations are `url_citation` annotations (one per marker, with the `localchat://` URL) and one
`file_citation` per cited document, in the output_text content part.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from localchat.errors import InvalidRequestError, ToolsUnsupportedError, UnsupportedFeatureError
from localchat.generation.base import JSON_OBJECT, ChatMessage
from localchat.wire.sources import Annotation, SourceEntry, as_dict, source_url


class InputPart(msgspec.Struct):
    type: str
    text: str | None = None


class InputMessage(msgspec.Struct):
    role: str = "user"
    content: str | list[InputPart] = ""
    type: str = "message"


class TextFormat(msgspec.Struct):
    type: str = "text"
    schema: dict[str, Any] | None = None
    name: str | None = None


class TextConfig(msgspec.Struct):
    format: TextFormat = msgspec.field(default_factory=TextFormat)


class ResponseRequest(msgspec.Struct):
    model: str
    input: str | Annotated[list[InputMessage], Meta(min_length=1)]
    instructions: str | None = None
    stream: bool = False
    max_output_tokens: Annotated[int, Meta(ge=1)] | None = None
    temperature: Annotated[float, Meta(ge=0, le=2)] | None = None
    top_p: Annotated[float, Meta(gt=0, le=1)] | None = None
    text: TextConfig | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    previous_response_id: str | None = None
    top_logprobs: int | None = None
    metadata: dict[str, str] | None = None
    # LocalChat extension: the collection to answer from (a collection in the model name wins
    # when both agree; None: "default").
    collection: str | None = None


class OutputText(msgspec.Struct):
    text: str
    annotations: list[dict[str, Any]]
    type: str = "output_text"
    logprobs: list[Any] = []


class OutputMessage(msgspec.Struct):
    id: str
    content: list[OutputText]
    status: str = "completed"
    role: str = "assistant"
    type: str = "message"


class InputTokensDetails(msgspec.Struct, frozen=True):
    cached_tokens: int = 0
    cache_write_tokens: int = 0


class OutputTokensDetails(msgspec.Struct, frozen=True):
    reasoning_tokens: int = 0


class ResponseUsage(msgspec.Struct):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    input_tokens_details: InputTokensDetails = InputTokensDetails()
    output_tokens_details: OutputTokensDetails = OutputTokensDetails()


class ResponseObject(msgspec.Struct):
    id: str
    created_at: int
    model: str
    output: list[OutputMessage]
    status: str
    instructions: str | None
    max_output_tokens: int | None
    temperature: float | None
    top_p: float | None
    usage: ResponseUsage | None
    incomplete_details: dict[str, str] | None = None
    error: None = None
    metadata: dict[str, str] = {}
    object: str = "response"
    parallel_tool_calls: bool = False
    tool_choice: str = "none"
    tools: list[Any] = []
    text: dict[str, Any] = msgspec.field(default_factory=lambda: {"format": {"type": "text"}})
    truncation: str = "disabled"
    sources: list[SourceEntry] = []  # LocalChat extension: the numbered sources


def part_text(part: InputPart, where: str) -> str:
    if part.type not in ("input_text", "text", "output_text") or part.text is None:
        raise InvalidRequestError(
            f"{where} is a {part.type!r} part; only text parts are supported",
            hint="send input_text parts (LocalChat's models read text only)",
            param=where,
        )
    return part.text


def to_messages(request: ResponseRequest) -> list[ChatMessage]:
    """instructions (as the system message), then the input as user/assistant turns."""
    out = [ChatMessage("system", request.instructions)] if request.instructions else []
    if isinstance(request.input, str):
        return [*out, ChatMessage("user", request.input)]
    for index, item in enumerate(request.input):
        if item.type != "message":
            raise InvalidRequestError(
                f"input[{index}] is a {item.type!r} item; only messages are supported",
                hint="send messages with role and text content",
                param=f"input[{index}].type",
            )
        content = item.content
        if not isinstance(content, str):
            content = "\n".join(
                part_text(p, f"input[{index}].content[{n}]") for n, p in enumerate(content)
            )
        role = "system" if item.role == "developer" else item.role
        out.append(ChatMessage(role, content))
    return out


def check_request(request: ResponseRequest) -> None:
    if request.tools and request.tool_choice != "none":
        raise ToolsUnsupportedError(
            "tool calls are not supported by LocalChat's answer models",
            hint='leave out tools (or send tool_choice "none")',
            param="tools",
        )
    if request.previous_response_id:
        raise UnsupportedFeatureError(
            "previous_response_id: LocalChat stores no responses",
            hint="send the earlier turns in input instead",
            param="previous_response_id",
        )
    if request.top_logprobs:
        raise UnsupportedFeatureError(
            "logprobs are not returned by LocalChat yet",
            hint="leave out top_logprobs",
            param="top_logprobs",
        )


def json_schema_of(text: TextConfig | None) -> str:
    fmt = text.format if text is not None else TextFormat()
    if fmt.type == "text":
        return ""
    if fmt.type == "json_object":
        return JSON_OBJECT
    if fmt.type == "json_schema" and isinstance(fmt.schema, dict):
        return json.dumps(fmt.schema, sort_keys=True)
    raise UnsupportedFeatureError(
        f"text.format {fmt.type!r} is not supported (or has no schema)",
        hint="use text, json_object, or json_schema with a schema",
        param="text.format",
    )


def annotations_for(
    content: str, chat_annotations: list[Annotation], sources: list[SourceEntry]
) -> list[dict[str, Any]]:
    """Chat url_citation annotations in the Responses form, plus one file_citation per cited
    document (at the end of its first marker)."""
    out: list[dict[str, Any]] = []
    files: dict[int, dict[str, Any]] = {}
    by_url = {source_url(s.document_id, s.page, s.chunk_index): s for s in sources}
    for annotation in chat_annotations:
        span = annotation.url_citation
        out.append({"type": "url_citation", **as_dict(span)})
        source = by_url.get(span.url)
        if source is not None and source.document_id not in files:
            files[source.document_id] = {
                "type": "file_citation",
                "file_id": f"localchat-document-{source.document_id}",
                "filename": source.filename,
                "index": span.end_index,
            }
    return out + list(files.values())
