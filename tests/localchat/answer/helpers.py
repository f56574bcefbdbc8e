"""Sources and a cached hash embedder for the answer tests."""

from __future__ import annotations

from localchat.answer.vectors import SentenceVectors
from localchat.chat.types import Source, make_preview
from localchat.embedding.embedder import HashEmbedder

GCCGO = (
    "The gccgo frontend is arranged as a series of passes over the input. "
    "The intermediate representation, known as GOGO, is a collection of C++ classes. "
    "This version of GOGO is eventually converted to GENERIC and passed to the middle-end."
)
NUTS = (
    "The two general types of self-locking nuts are the all-metal type and the fiber lock type. "
    "Wing-type nuts are made of anodized aluminum alloy or stainless steel."
)
CATS = "Cats sleep for most of the day. They hunt at dusk and dawn when mice are about."


def source(index: int, text: str, *, page: int = 1, relevance: float = 0.9) -> Source:
    return Source(
        index=index,
        chunk_id=100 + index,
        document_id=10 + index,
        filename=f"doc{index}.pdf",
        page=page,
        chunk_index=0,
        relevance=relevance,
        text=text,
        preview=make_preview(text),
    )


def library() -> list[Source]:
    return [source(1, GCCGO), source(2, NUTS, relevance=0.5), source(3, CATS, relevance=0.3)]


def vectors() -> SentenceVectors:
    return SentenceVectors(HashEmbedder())
