"""Retrieved hits as an answer's numbered Sources, and as the `sources[]` entries it returns."""

from __future__ import annotations

import msgspec

from localchat.chat.citations import source_entry
from localchat.chat.types import Source, make_preview
from localchat.retrieval.retriever import Hit
from localchat.wire.sources import Quote, SourceEntry


def hit_to_source(index: int, hit: Hit) -> Source:
    return Source(
        index=index,
        chunk_id=hit.chunk_id,
        document_id=hit.document_id,
        filename=hit.filename,
        page=hit.page,
        chunk_index=hit.chunk_index,
        relevance=round(hit.relevance, 4),
        text=hit.text,
        preview=make_preview(hit.text),
    )


def explain_entry(source: Source, hit: Hit, quote: Quote | None = None) -> SourceEntry:
    """The contract's `sources[]` item plus the passage, its retrieval breakdown and quote."""
    return msgspec.structs.replace(
        source_entry(source),
        chunk_id=hit.chunk_id,
        text=hit.text,
        section=hit.section,
        bm25_rank=hit.bm25_rank,
        bm25_score=hit.bm25_score,
        vector_rank=hit.vector_rank,
        cosine=hit.cosine,
        fused=hit.fused,
        quote=quote,
    )
