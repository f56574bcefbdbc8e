"""Rows of the store as msgspec Structs."""

from __future__ import annotations

import msgspec


class DocumentRecord(msgspec.Struct, frozen=True):
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


class NewDocument(msgspec.Struct, frozen=True):
    """A document about to be written (no id yet)."""

    path: str
    filename: str
    title: str
    media_type: str
    sha256: str
    size: int
    mtime: float
    pages: int
    warnings: list[str] = []


class NewChunk(msgspec.Struct, frozen=True):
    ordinal: int
    text: str
    page: int
    char_start: int
    char_end: int
    token_count: int
    section: str
    content_hash: str


class ChunkRecord(msgspec.Struct, frozen=True):
    id: int
    document_id: int
    ordinal: int
    text: str
    page: int
    char_start: int
    char_end: int
    token_count: int
    section: str
    content_hash: str
    filename: str
    path: str


class WriteResult(msgspec.Struct, frozen=True):
    document_id: int
    added_chunk_ids: list[int]
    removed_chunk_ids: list[int]
    replaced: bool


def layout_id(chunk_size: int, chunk_overlap: int) -> str:
    """Chunks made with different sizes live side by side while a re-chunk runs."""
    return f"{chunk_size}/{chunk_overlap}"
