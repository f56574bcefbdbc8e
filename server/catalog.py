"""Model names the server answers to (resolved by localchat.modelfiles.names) and /v1/models.

`localchat` is the active RAG configuration (preset plus overrides, `ChatRequest.preset =
"active"`); `localchat:<preset>` is a named preset; `...@<model>` answers with another chat
model found on this machine; a chat model's own name is plain chat with no retrieval. The
embedding model's id is listed too, for /v1/embeddings clients.

Every API family (OpenAI, Responses, Ollama) maps names here first: `server.model_aliases`
turns names clients send by default (`gpt-4o-mini`, `text-embedding-3-small`) into LocalChat
names, and an Ollama client's `:latest` tag on a LocalChat name is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from localchat.errors import ConfigError, InvalidRequestError, ModelNotFoundError
from localchat.modelfiles.names import BASE, ModelRef, listed_names, resolve
from localchat.store.collections import DEFAULT, collection_name
from localchat.wire.openai import Model, ModelList

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
    """The LocalChat name a requested name means: its alias target, and `localchat…:latest`
    without the tag (other models' tags, e.g. Ollama's `qwen2.5:latest`, are their names)."""
    model = (aliases or {}).get(model, model)
    if model.endswith(OLLAMA_TAG) and model.startswith(BASE):
        return model.removesuffix(OLLAMA_TAG)
    return model


def resolve_chat(model: str, generator_id: str, others: Sequence[str] = ()) -> ModelRef:
    return resolve(model, generator_id, others)


def chat_collection(ref: ModelRef, requested: str | None, store) -> str:
    """The collection a chat request answers from: the one its model name or its `collection`
    field names (both: they must agree), else "default"; 404 when there is no such one."""
    field = None if requested is None else collection_name(requested)
    if ref.collection and field and ref.collection != field:
        raise InvalidRequestError(
            f"the model names the collection {ref.collection!r} but the request field "
            f"collection says {field!r}",
            hint="name the collection once: in the model (localchat/<collection>) or in the "
            "collection field",
            param="collection",
        )
    name = ref.collection or field or DEFAULT
    if ref.preset is None:  # plain chat retrieves nothing: the collection plays no part
        return name
    return store.resolve_collection(name)


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
    generator_id: str,
    embedding_id: str,
    created: int,
    others: Sequence[str] = (),
    aliases: dict[str, str] | None = None,
    collections: Sequence[str] = (),
) -> ModelList:
    ids = [*listed_names(generator_id, others, collections), embedding_id, *(aliases or {})]
    return ModelList(data=[Model(id=name, created=created) for name in dict.fromkeys(ids)])


def find_model(
    model: str,
    generator_id: str,
    embedding_id: str,
    created: int,
    others: Sequence[str] = (),
    aliases: dict[str, str] | None = None,
    store=None,
) -> Model:
    if model == embedding_id or model in (aliases or {}):
        return Model(id=model, created=created)
    ref = resolve(model, generator_id, others)  # raises the 404 with the names to use
    if ref.collection and store is not None:
        store.resolve_collection(ref.collection)  # and an unknown collection's 404
    return Model(id=model, created=created)
