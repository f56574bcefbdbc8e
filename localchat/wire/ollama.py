"""Ollama API wire types (/api/chat, /api/generate, /api/embed, /api/tags, /api/show, …).

Model names are LocalChat's (as in /v1/models); Ollama clients' `:latest` tag is accepted.
Answers carry LocalChat's `sources[]` as an extension field on the final (done) message.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from localchat.errors import InvalidRequestError
from localchat.generation.base import JSON_OBJECT, GenerationParams
from localchat.wire.sources import SourceEntry


class Options(msgspec.Struct):
    """The subset of Ollama's options that maps onto GenerationParams (others are ignored, as
    they tune Ollama's own runner: num_ctx, num_thread, mirostat, …)."""

    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None
    num_predict: int | None = None
    stop: list[str] | None = None


class OllamaMessage(msgspec.Struct):
    role: str
    content: str = ""
    images: list[str] | None = None
    tool_calls: list[dict[str, Any]] | None = None


class OllamaChatRequest(msgspec.Struct):
    model: str
    messages: list[OllamaMessage] = []
    stream: bool = True
    format: str | dict[str, Any] | None = None
    options: Options | None = None
    tools: list[dict[str, Any]] | None = None
    keep_alive: str | int | float | None = None
    # LocalChat extension: the collection to answer from (a collection in the model name wins
    # when both agree; None: "default").
    collection: str | None = None


class OllamaGenerateRequest(msgspec.Struct):
    model: str
    prompt: str = ""
    system: str | None = None
    stream: bool = True
    raw: bool = False
    format: str | dict[str, Any] | None = None
    options: Options | None = None
    images: list[str] | None = None
    keep_alive: str | int | float | None = None
    # LocalChat extension: the collection to answer from (a collection in the model name wins
    # when both agree; None: "default").
    collection: str | None = None


class OllamaEmbedRequest(msgspec.Struct):
    model: str
    input: str | list[str]
    truncate: bool = True
    keep_alive: str | int | float | None = None


class OllamaEmbeddingsRequest(msgspec.Struct):
    model: str
    prompt: str
    keep_alive: str | int | float | None = None


class ShowRequest(msgspec.Struct):
    model: str = ""
    name: str = ""  # older clients send name


class ModelDetails(msgspec.Struct):
    format: str = "gguf"
    family: str = ""
    families: list[str] | None = None
    parameter_size: str = ""
    quantization_level: str = ""
    parent_model: str = ""


class TagModel(msgspec.Struct):
    name: str
    model: str
    modified_at: str
    size: int
    digest: str
    details: ModelDetails


class TagList(msgspec.Struct):
    models: list[TagModel]


class ShowResponse(msgspec.Struct):
    modelfile: str
    parameters: str
    template: str
    details: ModelDetails
    model_info: dict[str, Any]
    capabilities: list[str]
    modified_at: str


class ReplyMessage(msgspec.Struct):
    content: str
    role: str = "assistant"


class ChatLine(msgspec.Struct, omit_defaults=True):
    """One NDJSON line of /api/chat (or the whole reply when stream is false)."""

    model: str
    created_at: str
    message: ReplyMessage
    done: bool
    done_reason: str | UnsetType = UNSET
    total_duration: int | UnsetType = UNSET
    prompt_eval_count: int | UnsetType = UNSET
    eval_count: int | UnsetType = UNSET
    sources: list[SourceEntry] | UnsetType = UNSET  # LocalChat extension


class GenerateLine(msgspec.Struct, omit_defaults=True):
    model: str
    created_at: str
    response: str
    done: bool
    done_reason: str | UnsetType = UNSET
    total_duration: int | UnsetType = UNSET
    prompt_eval_count: int | UnsetType = UNSET
    eval_count: int | UnsetType = UNSET
    sources: list[SourceEntry] | UnsetType = UNSET


class EmbedResponse(msgspec.Struct):
    model: str
    embeddings: list[list[float]]
    prompt_eval_count: int = 0


class EmbeddingsResponse(msgspec.Struct):
    embedding: list[float]


def format_schema(fmt: str | dict[str, Any] | None) -> str:
    """Ollama's `format` ("json" or a JSON schema) as GenerationParams.json_schema."""
    if fmt is None or fmt == "":
        return ""
    if fmt == "json":
        return JSON_OBJECT
    if isinstance(fmt, dict):
        return json.dumps(fmt, sort_keys=True)
    raise InvalidRequestError(
        f"format {fmt!r} is not supported",
        hint='send "json" or a JSON schema object',
        param="format",
    )


def params_from(
    options: Options | None, fmt: str | dict[str, Any] | None, max_tokens: int
) -> GenerationParams:
    options = options or Options()
    if options.num_predict is not None and options.num_predict == 0:
        raise InvalidRequestError(
            "options.num_predict is 0", hint="send a positive number, or -1", param="num_predict"
        )
    limit = options.num_predict if options.num_predict and options.num_predict > 0 else max_tokens
    defaults = GenerationParams()
    return GenerationParams(
        max_tokens=limit,
        # As on /v1: no temperature means greedy, repeatable (and cacheable) answers.
        temperature=0.0 if options.temperature is None else options.temperature,
        top_p=defaults.top_p if options.top_p is None else options.top_p,
        stop=tuple(s for s in options.stop or () if s),
        seed=options.seed,
        json_schema=format_schema(fmt),
    )
