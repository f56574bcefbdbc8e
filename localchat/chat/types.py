"""The retrieved passages a chat answer is built from, as numbered for the model."""

from __future__ import annotations

import msgspec


class Source(msgspec.Struct, frozen=True):
    index: int  # 1-based number shown to the model as [index]
    chunk_id: int
    document_id: int
    filename: str
    page: int
    chunk_index: int
    relevance: float  # fused retrieval score normalised to 0..1
    text: str  # full chunk text
    preview: str  # first ~200 chars, single line


PREVIEW_CHARS = 200


def make_preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The first `limit` characters of text on one line (whitespace runs become one space)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rstrip() + "…"
