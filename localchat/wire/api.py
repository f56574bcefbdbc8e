"""Wire types of LocalChat's own /api routes: documents, jobs, search, RAG config, health."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import UNSET, Meta, UnsetType

# -- documents ---------------------------------------------------------------------------------


class DocumentView(msgspec.Struct):
    """A document as GET /api/documents serves it: the store's row declared for the API, so
    a column added to the store is not served until it is added here."""

    id: int
    path: str
    filename: str
    title: str
    media_type: str
    sha256: str
    size: int
    mtime: float
    pages: int
    status: str
    chunk_count: int
    token_count: int
    layout: str
    embed_model: str
    warnings: list[str]
    ingested_at: str
    collections: list[str] = []  # the collections the document belongs to


class PathsRequest(msgspec.Struct):
    """POST /api/documents as JSON: server-side paths, each under a configured allowed root."""

    paths: Annotated[list[Annotated[str, Meta(min_length=1)]], Meta(min_length=1, max_length=1000)]
    collection: str = "default"  # created when missing; files already there join it too


class DocumentList(msgspec.Struct):
    data: list[DocumentView]
    object: str = "list"


class CollectionView(msgspec.Struct):
    """One collection as GET /api/collections lists it."""

    name: str
    documents: int = 0
    chunks: int = 0
    created_at: str = ""


class CollectionList(msgspec.Struct):
    data: list[CollectionView]
    object: str = "list"


class DocumentDeleted(msgspec.Struct):
    id: int
    chunks_removed: int
    deleted: bool = True


# -- search ------------------------------------------------------------------------------------


class SearchRequest(msgspec.Struct):
    query: Annotated[str, Meta(min_length=1, max_length=10_000)]
    preset: str | None = None  # None: the active configuration
    mode: Literal["hybrid", "bm25", "vector"] = "hybrid"
    explain: bool = False  # also return the candidates that were cut, and why
    collection: str | None = None  # None: "default"; "all": the whole library


class HitView(msgspec.Struct):
    """One passage POST /api/search found, with why it ranks where it does ("explain")."""

    chunk_id: int
    document_id: int
    filename: str
    page: int
    chunk_index: int
    section: str
    text: str
    bm25_rank: int | None = None
    bm25_score: float | None = None
    vector_rank: int | None = None
    cosine: float | None = None
    fused: float = 0.0
    relevance: float = 0.0  # fused score scaled so the best possible hit is 1.0
    dropped: str = ""  # why the candidate was cut ("" when kept)


class SearchResponse(msgspec.Struct):
    query: str
    preset: str
    mode: str
    hits: list[HitView]
    terms: list[str]
    timings_ms: dict[str, float]
    dropped: list[HitView] | UnsetType = UNSET
    collection: str = "default"


# -- RAG configuration -------------------------------------------------------------------------


class RagConfigUpdate(msgspec.Struct):
    """Any subset: a preset, overrides, or both (overrides apply on top of the preset)."""

    preset: str | UnsetType = UNSET
    chunk_size: int | UnsetType = UNSET
    chunk_overlap: int | UnsetType = UNSET
    top_k: int | UnsetType = UNSET
    min_similarity: float | UnsetType = UNSET

    def changes(self) -> dict[str, Any]:
        return {
            name: value
            for name in self.__struct_fields__
            if (value := getattr(self, name)) is not UNSET
        }


class RagConfigView(msgspec.Struct):
    preset: str
    chunk_size: int
    chunk_overlap: int
    top_k: int
    min_similarity: float
    presets: dict[str, dict[str, Any]]
    # The background re-chunk job a chunk_size/chunk_overlap change started (or is running).
    rechunk_job: str | None = None


# -- health ------------------------------------------------------------------------------------

Status = Literal["ok", "degraded", "fail"]


class ComponentHealth(msgspec.Struct):
    status: Status
    latency_ms: float
    detail: str = ""
    data: dict[str, Any] = {}


class HealthReport(msgspec.Struct):
    status: Status
    components: dict[str, ComponentHealth]
    reason: str = ""


View = TypeVar("View", bound=msgspec.Struct)


def view(kind: type[View], value: Any) -> View:
    """An internal record (a store row, a retrieval hit) as the wire Struct `kind`: the
    fields `kind` declares, read from the record's attributes."""
    return msgspec.convert(value, kind, from_attributes=True)


def views(kind: type[View], values: Any) -> list[View]:
    return [view(kind, value) for value in values]
