"""OpenAI wire types besides chat: models, embeddings, legacy completions, the error envelope."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from localchat.wire.chat import CompletionUsage, WireFinish

# -- models ------------------------------------------------------------------------------------


class Model(msgspec.Struct):
    id: str
    created: int
    owned_by: str = "localchat"
    object: str = "model"


class ModelList(msgspec.Struct):
    data: list[Model]
    object: str = "list"


# -- embeddings --------------------------------------------------------------------------------

MAX_EMBEDDING_INPUTS = 2048


class EmbeddingRequest(msgspec.Struct):
    # Text, texts, one token-id array, or several (ids of the embedding model's vocabulary);
    # msgspec allows one array type per union, so the mix is sorted out by embedding_inputs().
    input: (
        str
        | Annotated[
            list[str | int | list[int]], Meta(min_length=1, max_length=MAX_EMBEDDING_INPUTS)
        ]
    )
    model: str
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: Annotated[int, Meta(ge=1)] | None = None


class Embedding(msgspec.Struct):
    index: int
    embedding: list[float] | str  # str when encoding_format is "base64"
    object: str = "embedding"


class EmbeddingUsage(msgspec.Struct):
    prompt_tokens: int
    total_tokens: int


class EmbeddingList(msgspec.Struct):
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage
    object: str = "list"


# -- legacy completions (editor autocomplete) --------------------------------------------------


class CompletionRequest(msgspec.Struct):
    model: str
    prompt: str | Annotated[list[str], Meta(min_length=1, max_length=1)]
    stream: bool = False
    max_tokens: Annotated[int, Meta(ge=1)] | None = None
    temperature: Annotated[float, Meta(ge=0, le=2)] | None = None
    top_p: Annotated[float, Meta(gt=0, le=1)] | None = None
    stop: str | Annotated[list[str], Meta(max_length=4)] | None = None
    seed: int | None = None
    n: Annotated[int, Meta(ge=1, le=1)] | None = None


class CompletionChoice(msgspec.Struct):
    text: str
    finish_reason: WireFinish | None
    index: int = 0
    logprobs: None = None


class TextCompletion(msgspec.Struct):
    id: str
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: CompletionUsage | None = None
    object: str = "text_completion"


# -- errors ------------------------------------------------------------------------------------


class ErrorBody(msgspec.Struct):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorEnvelope(msgspec.Struct):
    error: ErrorBody
