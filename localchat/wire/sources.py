"""The citation wire types of an answer: `sources[]` entries (with their quote) and annotations.

Declared once for every side (DESIGN.md §4 "Citations"): chat/ builds them, the answer cache
stores them, server/ encodes them and localchat.client decodes them. Every field but a
source's index has a default, so a client decoding a partial entry (a search hit numbered
client-side, an older server's reply) stays tolerant; unknown fields are ignored.
"""

from __future__ import annotations

from typing import Any

import msgspec


class Quote(msgspec.Struct, frozen=True):
    """The span of a source's chunk text the answer relies on: `text == chunk[start:end]`."""

    start: int
    end: int
    text: str = ""


class SourceEntry(msgspec.Struct, frozen=True):
    """One item of `sources[]` as answers carry it: the contract's fields, the retrieval
    breakdown ("explain my answer"), and the quote of a passage evidence came from (else null)."""

    index: int
    document_id: int = 0
    filename: str = ""
    page: int = 0
    chunk_index: int = 0
    relevance: float = 0.0
    preview: str = ""
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
    """Where a marker sits in the answer ([start_index, end_index) in code points) and the
    `localchat://` URL of the source it names."""

    start_index: int
    end_index: int
    url: str = ""
    title: str = ""


class Annotation(msgspec.Struct, frozen=True):
    """OpenAI's `message.annotations[]` entry."""

    url_citation: UrlCitation
    type: str = "url_citation"


def source_url(document_id: int, page: int, chunk_index: int) -> str:
    """The `localchat://` URL of a passage, as url_citation annotations carry it."""
    return f"localchat://documents/{document_id}#page={page}&chunk={chunk_index}"


def as_dict(value: Any) -> Any:
    """A Struct (or a list of them) as plain JSON-ready values, for APIs that take dicts."""
    return msgspec.to_builtins(value)
