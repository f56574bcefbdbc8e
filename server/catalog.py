"""Model names the server answers to, and what each means for a chat request.

`localchat` is the active RAG configuration (preset plus overrides, `ChatRequest.preset =
"active"`); `localchat:<preset>` is a named preset; the generator's own id is plain chat with
no retrieval. The embedding model's id is listed too, for /v1/embeddings clients.
"""

from __future__ import annotations

from localchat.config import PRESETS
from localchat.errors import ModelNotFoundError
from localchat.wire.openai import Model, ModelList

BASE = "localchat"


def rag_models() -> list[str]:
    return [BASE, *(f"{BASE}:{name}" for name in PRESETS)]


def chat_models(generator_id: str) -> list[str]:
    return [*rag_models(), *([generator_id] if generator_id else [])]


def preset_for(model: str, generator_id: str) -> str | None:
    """The ChatRequest preset for a model name: "active", a preset name, or None (no RAG)."""
    if model == BASE:
        return "active"
    if model.startswith(f"{BASE}:") and model.removeprefix(f"{BASE}:") in PRESETS:
        return model.removeprefix(f"{BASE}:")
    if generator_id and model == generator_id:
        return None
    raise unknown_model(model, chat_models(generator_id))


def check_embedding_model(model: str, generator_id: str, embedding_id: str) -> None:
    """Embeddings answer to the embedder's id and, for one-model clients, any chat name."""
    if model not in (embedding_id, *chat_models(generator_id)):
        raise unknown_model(model, [embedding_id, BASE])


def unknown_model(model: str, known: list[str]) -> ModelNotFoundError:
    return ModelNotFoundError(
        f"the model {model!r} does not exist on this server",
        hint=f"use one of: {', '.join(known)} (GET /v1/models lists them)",
        param="model",
    )


def model_list(generator_id: str, embedding_id: str, created: int) -> ModelList:
    ids = [*chat_models(generator_id), embedding_id]
    return ModelList(data=[Model(id=name, created=created) for name in dict.fromkeys(ids)])


def find_model(model: str, generator_id: str, embedding_id: str, created: int) -> Model:
    for entry in model_list(generator_id, embedding_id, created).data:
        if entry.id == model:
            return entry
    raise unknown_model(model, [*chat_models(generator_id), embedding_id])
