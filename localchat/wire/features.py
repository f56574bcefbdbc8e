"""OpenAI request features that change an answer's shape: honoured (response_format, prefill)
or refused with a 400 that says so (n > 1, logprobs, tools). Never silently dropped."""

from __future__ import annotations

import json
from typing import Any

from localchat.errors import ToolsUnsupportedError, UnsupportedFeatureError
from localchat.generation.base import JSON_OBJECT


def json_schema_of(response_format: Any) -> str:
    """GenerationParams.json_schema for a request's response_format ("" for plain text)."""
    if response_format is None or response_format.type == "text":
        return ""
    if response_format.type == "json_object":
        return JSON_OBJECT
    if response_format.type == "json_schema":
        spec = response_format.json_schema or {}
        schema = spec.get("schema")
        if not isinstance(schema, dict):
            raise UnsupportedFeatureError(
                "response_format.json_schema.schema is missing",
                hint='send {"type": "json_schema", "json_schema": {"name": ..., "schema": {...}}}',
                param="response_format.json_schema.schema",
            )
        return json.dumps(schema, sort_keys=True)
    raise UnsupportedFeatureError(
        f"response_format type {response_format.type!r} is not supported",
        hint="use text, json_object or json_schema",
        param="response_format.type",
    )


def check_features(request: Any, *, tools: bool = False) -> None:
    """Refuse what LocalChat cannot do for a chat request (ChatCompletionRequest); `tools`
    True when the generator relays tool calls (an upstream server)."""
    if request.n is not None and request.n > 1:
        raise UnsupportedFeatureError(
            f"n = {request.n}: LocalChat returns one choice per request",
            hint="send n = 1 (or leave it out) and repeat the request for more answers",
            param="n",
        )
    if request.logprobs or request.top_logprobs:
        raise UnsupportedFeatureError(
            "logprobs are not returned by LocalChat yet",
            hint="leave out logprobs and top_logprobs",
            param="logprobs" if request.logprobs else "top_logprobs",
        )
    if not tools and wants_tools(request):
        raise ToolsUnsupportedError(
            "tool calls are not supported by LocalChat's answer models",
            hint='leave out tools (or send tool_choice "none") and tool messages',
            param="tools" if request.tools and request.tool_choice != "none" else "messages",
        )


def wants_tools(request: Any) -> bool:
    """Tools offered (tool_choice not "none"), or a history holding tool calls or results."""
    offered = bool(request.tools) and request.tool_choice != "none"
    history = any(m.role in ("tool", "function") or m.tool_calls for m in request.messages)
    return offered or history
