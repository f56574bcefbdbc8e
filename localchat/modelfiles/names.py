"""The one resolver of model names: `localchat[/collection][:preset][@model]`, bare chat models.

- `localchat` — retrieval with the active configuration, answered by the active model;
- `localchat:<preset>` — a named preset (fast, balanced, accurate);
- `localchat/<collection>` — retrieval in that collection (e.g. `localchat/papers`,
  `localchat/papers:fast`); without one, the request's `collection` field or "default".
  The form is a valid Ollama name (namespace/model:tag) and OpenAI clients pass any string;
  `localchat:<preset>/<collection>` is accepted too;
- `localchat@<model>` / `localchat:<preset>@<model>` — the same, answered by another chat
  model from `localchat models` (e.g. `localchat:balanced@qwen2.5:1.5b`);
- `<model>` — that model alone, no retrieval (the active one, or any discovered chat model).

Clients such as Continue and Open WebUI pick from GET /v1/models, so `listed_names` returns
every combination that resolves.
"""

from __future__ import annotations

from collections.abc import Collection

import msgspec

from localchat.config import PRESETS
from localchat.errors import LocalChatError, ModelNotFoundError
from localchat.store.collections import DEFAULT, collection_name

BASE = "localchat"


class ModelRef(msgspec.Struct, frozen=True):
    """What a model name asks for: `preset` "active", a preset name, or None (no retrieval);
    `model` the chat model to answer with, None for the active one."""

    preset: str | None
    model: str | None = None
    collection: str | None = None  # named in the model name (canonical form), else None


def resolve(name: str, active: str, others: Collection[str] = ()) -> ModelRef:
    """The ModelRef for `name`; ModelNotFoundError (404, with the names to use) otherwise.

    `active` is the active chat model's name, `others` the other chat models available."""
    name = name.strip()
    known = {active, *others} - {""}
    if name == BASE or name.startswith((f"{BASE}:", f"{BASE}@", f"{BASE}/")):
        rag, _, model = name.partition("@")
        rag, collection = _collection(rag, name)
        preset = _preset(rag, name)
        if not model:
            return ModelRef(preset, None, collection)
        if model not in known:
            raise _unknown(name, active, others, what=f"chat model {model!r}")
        return ModelRef(preset, None if model == active else model, collection)
    if name in known:
        return ModelRef(None, None if name == active else name)
    raise _unknown(name, active, others, what=f"model {name!r}")


def rag_names() -> list[str]:
    return [BASE, *(f"{BASE}:{preset}" for preset in PRESETS)]


def listed_names(
    active: str, others: Collection[str] = (), collections: Collection[str] = ()
) -> list[str]:
    """Every chat name that resolves, the active model's first (what /v1/models lists); one
    `localchat/<collection>` per collection but "default" (which plain `localchat` means)."""
    names = [*rag_names(), *([active] if active else [])]
    names += [f"{BASE}/{c}" for c in collections if c != DEFAULT]
    for model in others:
        if model == active:
            continue
        names += [f"{rag}@{model}" for rag in rag_names()]
        names.append(model)
    return list(dict.fromkeys(names))


def _collection(rag: str, name: str) -> tuple[str, str | None]:
    """(`localchat[:preset]`, the collection) of `localchat/c[:preset]` or `localchat:p/c`."""
    rest = rag.removeprefix(BASE)
    if rest.startswith("/"):
        collection, colon, preset = rest[1:].partition(":")
        rag = BASE + (f":{preset}" if colon else "")
    elif "/" in rest:
        rag, _, collection = rag.partition("/")
    else:
        return rag, None
    try:
        return rag, collection_name(collection)
    except LocalChatError:
        raise ModelNotFoundError(
            f"the model {name!r} names the collection {collection!r}, which is not a valid name",
            hint="write localchat/<collection>[:<preset>], e.g. localchat/papers:fast; names "
            "are letters, digits, '_', '-' and '.' (GET /v1/models lists every name)",
            param="model",
        ) from None


def _preset(rag: str, name: str) -> str:
    if rag == BASE:
        return "active"
    preset = rag.removeprefix(f"{BASE}:")
    if preset not in PRESETS:
        raise ModelNotFoundError(
            f"the model {name!r} names an unknown preset {preset!r}",
            hint=f"use localchat or localchat:<preset> with a preset of {', '.join(PRESETS)} "
            "(GET /v1/models lists every name)",
            param="model",
        )
    return preset


def _unknown(name: str, active: str, others: Collection[str], *, what: str) -> ModelNotFoundError:
    sample = [*rag_names(), *([active] if active else []), *list(others)[:5]]
    return ModelNotFoundError(
        f"the {what} does not exist on this server",
        hint=f"use one of: {', '.join(sample)} (GET /v1/models lists them all; "
        "`localchat models` shows what is on this machine)",
        param="model",
    )
