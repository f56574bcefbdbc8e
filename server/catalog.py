"""Model names the server answers to, and what each means for a chat request.

`localchat` is the active RAG configuration (preset plus overrides, `ChatRequest.preset =
"active"`); `localchat:<preset>` is a named preset; the generator's own id is plain chat with
no retrieval. The embedding model's id is listed too, for /v1/embeddings clients.

Every API family (OpenAI, Ollama, Responses) resolves names here, aliases included:
`server.model_aliases` maps names clients send by default (`gpt-4o-mini`,
`text-embedding-3-small`) onto these; Ollama clients' `name:latest` tag is dropped.
"""

from __future__ import annotations

from localchat.config import PRESETS
from localchat.errors import ConfigError, ModelNotFoundError
from localchat.wire.openai import Model, ModelList

BASE = "localchat"
OLLAMA_TAG = ":latest"


def parse_aliases(entries: tuple[str, ...]) -> dict[str, str]:
    """server.model_aliases ("alias=model" strings) as a dict; a malformed entry stops start-up."""
    aliases = {}
    for entry in entries:
        alias, sep, target = (part.strip() for part in entry.partition("="))
        if not sep or not alias or not target:
            raise ConfigError(
                f"server.model_aliases entry {entry!r} is not alias=model",
                hint='write entries like "gpt-4o-mini=localchat"',
            )
        aliases[alias] = target
    return aliases


def canonical(model: str, aliases: dict[str, str] | None = None) -> str:
    """The LocalChat model a requested name means (aliases, then Ollama's `:latest` tag)."""
    model = (aliases or {}).get(model, model)
    return model.removesuffix(OLLAMA_TAG) if model.endswith(OLLAMA_TAG) else model


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


def model_list(
    generator_id: str, embedding_id: str, created: int, aliases: dict[str, str] | None = None
) -> ModelList:
    ids = [*chat_models(generator_id), embedding_id, *(aliases or {})]
    return ModelList(data=[Model(id=name, created=created) for name in dict.fromkeys(ids)])


def find_model(
    model: str,
    generator_id: str,
    embedding_id: str,
    created: int,
    aliases: dict[str, str] | None = None,
) -> Model:
    for entry in model_list(generator_id, embedding_id, created, aliases).data:
        if entry.id == model:
            return entry
    raise unknown_model(model, [*chat_models(generator_id), embedding_id])
