"""What a LocalChat server sends back, as tolerant msgspec Structs (unknown fields ignored)."""

from __future__ import annotations

from typing import Any

import msgspec

from localchat.errors import LocalChatError


class Quote(msgspec.Struct):
    """The span of a source's chunk text the answer relies on (`text == chunk[start:end]`)."""

    start: int
    end: int
    text: str = ""


class Source(msgspec.Struct):
    """One numbered source of an answer, with the retrieval breakdown ("explain my answer")."""

    index: int
    document_id: int = 0
    filename: str = ""
    page: int = 0
    chunk_index: int = 0
    relevance: float = 0.0
    preview: str = ""
    chunk_id: int | None = None
    text: str = ""
    section: str = ""
    bm25_rank: int | None = None
    bm25_score: float | None = None
    vector_rank: int | None = None
    cosine: float | None = None
    fused: float | None = None
    quote: Quote | None = None


class Citation(msgspec.Struct):
    """A `url_citation` annotation flattened: where a marker sits and which source it names."""

    start_index: int
    end_index: int
    url: str = ""
    title: str = ""


class StreamEvent(msgspec.Struct):
    """kind: "sources" (first), "delta" (answer text), "done" (finish reason, citations)."""

    kind: str
    text: str = ""
    sources: list[Source] = []
    citations: list[Citation] = []
    finish_reason: str = ""


class Document(msgspec.Struct):
    id: int
    filename: str = ""
    path: str = ""
    title: str = ""
    media_type: str = ""
    size: int = 0
    pages: int = 0
    chunk_count: int = 0
    status: str = ""
    ingested_at: str = ""
    warnings: list[str] = []
    collections: list[str] = []


class CollectionInfo(msgspec.Struct):
    """One collection as GET /api/collections lists it."""

    name: str
    documents: int = 0
    chunks: int = 0
    created_at: str = ""


class FileError(msgspec.Struct):
    path: str = ""
    code: str = ""
    message: str = ""


class Job(msgspec.Struct):
    """An ingestion or re-chunk job as GET /api/jobs/{id} reports it."""

    id: str
    kind: str = "ingest"
    status: str = "queued"  # queued | running | done | failed | cancelled | interrupted
    files_total: int = 0
    files_done: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    chunks: int = 0
    progress: float = 0.0
    current: str = ""
    message: str = ""
    errors: list[FileError] = []
    skipped: list[FileError] = []  # files a folder walk passed over, with the reason
    document_ids: list[int] = []
    collection: str = ""

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "cancelled", "interrupted")


class RagConfig(msgspec.Struct):
    preset: str
    chunk_size: int
    chunk_overlap: int
    top_k: int
    min_similarity: float
    rechunk_job: str | None = None  # the re-chunk a size change started (or is running)


class Model(msgspec.Struct):
    id: str
    owned_by: str = ""


def decode(data: Any, kind: Any) -> Any:
    try:
        return msgspec.convert(data, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise LocalChatError(
            f"the server sent an unexpected reply ({exc})",
            hint="make sure the server and the TUI are the same LocalChat version",
        ) from None


def items(body: Any) -> list:
    """A list reply, bare or wrapped OpenAI-style in {"data": [...]}."""
    if isinstance(body, dict):
        for key in ("data", "documents", "hits", "results"):
            if isinstance(body.get(key), list):
                return body[key]
    return body if isinstance(body, list) else []
