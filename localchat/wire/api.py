"""Wire types of LocalChat's own /api routes: documents, jobs, search, RAG config, health."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from localchat.retrieval.retriever import Hit
from localchat.store.collections import CollectionInfo
from localchat.store.records import DocumentRecord

# -- documents ---------------------------------------------------------------------------------


class PathsRequest(msgspec.Struct):
    """POST /api/documents as JSON: server-side paths, each under a configured allowed root."""

    paths: Annotated[list[Annotated[str, Meta(min_length=1)]], Meta(min_length=1, max_length=1000)]
    collection: str = "default"  # created when missing; files already there join it too


class LibraryDocument(DocumentRecord, frozen=True):
    """A document as /api/documents lists it: the stored record and its collections."""

    collections: list[str] = msgspec.field(default_factory=list)


class DocumentList(msgspec.Struct):
    data: list[LibraryDocument]
    object: str = "list"


class CollectionList(msgspec.Struct):
    data: list[CollectionInfo]
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


class SearchResponse(msgspec.Struct):
    query: str
    preset: str
    mode: str
    hits: list[Hit]
    terms: list[str]
    timings_ms: dict[str, float]
    dropped: list[Hit] | UnsetType = UNSET
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
