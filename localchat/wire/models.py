"""Wire types of /api/models: what discovery found, and switching the active models."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from localchat.modelfiles.entry import ModelEntry
from localchat.modelfiles.notes import note, size_label


class ModelView(msgspec.Struct, frozen=True):
    name: str
    kind: str
    origin: str
    note: str
    size_label: str = ""
    path: str = ""
    url: str = ""
    size_bytes: int = 0
    parameters: int = 0
    architecture: str = ""
    quantization: str = ""
    context_length: int = 0
    active: bool = False

    @classmethod
    def of(cls, entry: ModelEntry, active: set[str]) -> ModelView:
        return cls(
            name=entry.name,
            kind=entry.kind,
            origin=entry.origin,
            note=note(entry),
            size_label=size_label(entry.parameters),
            path=entry.path,
            url=entry.url,
            size_bytes=entry.size_bytes,
            parameters=entry.parameters,
            architecture=entry.architecture,
            quantization=entry.quantization,
            context_length=entry.context_length,
            active=entry.name in active,
        )


class ModelsView(msgspec.Struct, frozen=True):
    """GET /api/models and `localchat models --json`."""

    chat_model: str
    embedding_model: str
    models: list[ModelView]
    warnings: list[str]
    loaded: list[str] = []
    object: str = "list"


Name = Annotated[str, Meta(min_length=1, max_length=500)]


class ActiveModelUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """POST /api/models/active: the chat model to answer with from now on, and/or the
    embedding model to re-embed the library with (in the background, then swapped)."""

    model: Name | None = None
    embedding: Name | None = None


class ActiveModelView(msgspec.Struct, frozen=True):
    chat_model: str
    previous: str
    bundled: bool  # the chat model is the bundled SmolLM2
    embedding_model: str = ""
    reembed_job: str | None = None  # GET /api/jobs/{id} follows the re-embedding


def models_view(discovery, chat_model: str, embedding_model: str, loaded=()) -> ModelsView:
    active = {chat_model, embedding_model}
    return ModelsView(
        chat_model=chat_model,
        embedding_model=embedding_model,
        models=[ModelView.of(m, active) for m in discovery.models],
        warnings=list(discovery.warnings),
        loaded=list(loaded),
    )
