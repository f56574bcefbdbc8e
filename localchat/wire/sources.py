"""The citation wire types of an answer: `sources[]` entries (with their quote) and annotations.

Built as Structs in chat/ so the contract's shape (DESIGN.md §4 "Citations") is declared once;
ChatResult still carries them as plain dicts (`to_builtins`), the form the answer cache, the
server and the client already exchange.
"""

from __future__ import annotations

from typing import Any

import msgspec


class Quote(msgspec.Struct, frozen=True):
    """The span of a source's chunk text the answer relies on: `text == chunk[start:end]`."""

    start: int
    end: int
    text: str


class SourceEntry(msgspec.Struct, frozen=True):
    """One item of `sources[]` as answers carry it: the contract's fields, the retrieval
    breakdown ("explain my answer"), and the quote of a passage evidence came from (else null)."""

    index: int
    document_id: int
    filename: str
    page: int
    chunk_index: int
    relevance: float
    preview: str
    chunk_id: int | None = None
    text: str | None = None
    section: str | None = None
    bm25_rank: int | None = None
    bm25_score: float | None = None
    vector_rank: int | None = None
    cosine: float | None = None
    fused: float | None = None
    quote: Quote | None = None


class UrlCitation(msgspec.Struct, frozen=True):
    start_index: int
    end_index: int
    url: str
    title: str


class Annotation(msgspec.Struct, frozen=True):
    """OpenAI's `message.annotations[]` entry."""

    url_citation: UrlCitation
    type: str = "url_citation"


def as_dict(value: msgspec.Struct) -> dict[str, Any]:
    return msgspec.to_builtins(value)
