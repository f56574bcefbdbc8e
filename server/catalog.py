"""Model names the server answers to (resolved by localchat.modelfiles.names) and /v1/models.

`localchat` is the active RAG configuration (preset plus overrides, `ChatRequest.preset =
"active"`); `localchat:<preset>` is a named preset; `...@<model>` answers with another chat
model found on this machine; a chat model's own name is plain chat with no retrieval. The
embedding model's id is listed too, for /v1/embeddings clients.
"""

from __future__ import annotations

from collections.abc import Sequence

from localchat.errors import ModelNotFoundError
from localchat.modelfiles.names import BASE, ModelRef, listed_names, resolve
from localchat.wire.openai import Model, ModelList


def resolve_chat(model: str, generator_id: str, others: Sequence[str] = ()) -> ModelRef:
    return resolve(model, generator_id, others)


def preset_for(model: str, generator_id: str, others: Sequence[str] = ()) -> str | None:
    """The ChatRequest preset for a model name: "active", a preset name, or None (no RAG)."""
    return resolve(model, generator_id, others).preset


def check_embedding_model(
    model: str, generator_id: str, embedding_id: str, others: Sequence[str] = ()
) -> None:
    """Embeddings answer to the embedder's id and, for one-model clients, any chat name."""
    if model == embedding_id:
        return
    try:
        resolve(model, generator_id, others)
    except ModelNotFoundError:
        raise unknown_model(model, [embedding_id, BASE]) from None


def unknown_model(model: str, known: list[str]) -> ModelNotFoundError:
    return ModelNotFoundError(
        f"the model {model!r} does not exist on this server",
        hint=f"use one of: {', '.join(known)} (GET /v1/models lists them)",
        param="model",
    )


def model_list(
    generator_id: str, embedding_id: str, created: int, others: Sequence[str] = ()
) -> ModelList:
    ids = [*listed_names(generator_id, others), embedding_id]
    return ModelList(data=[Model(id=name, created=created) for name in dict.fromkeys(ids)])


def find_model(
    model: str, generator_id: str, embedding_id: str, created: int, others: Sequence[str] = ()
) -> Model:
    if model == embedding_id:
        return Model(id=model, created=created)
    resolve(model, generator_id, others)  # raises the 404 with the names to use
    return Model(id=model, created=created)
