"""Chunker spans to stored chunks, and the vectors they need: shared by ingest and re-chunk.

Both the ingest pipeline (new files) and re-chunking (stored text in a new layout) turn the
chunker's spans into `NewChunk`s the same way, and both embed only the chunk texts that have
no stored vector from the serving model yet (vectors are keyed by text hash and model).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from localchat.embedding.embedder import Embedder
from localchat.ingest.chunker import ChunkSpan
from localchat.store.records import NewChunk
from localchat.store.store import Store


def content_hash(text: str) -> str:
    """The key a chunk's vector is stored under (with the model): the same text, one vector."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def chunks_from_spans(
    spans: Sequence[ChunkSpan], count_tokens: Callable[[str], int]
) -> list[NewChunk]:
    """One `NewChunk` per span, its tokens counted by the embedder that will embed it."""
    return [
        NewChunk(
            ordinal=s.ordinal,
            text=s.text,
            page=s.page,
            char_start=s.char_start,
            char_end=s.char_end,
            token_count=count_tokens(s.text),
            section=s.section,
            content_hash=content_hash(s.text),
        )
        for s in spans
    ]


def embed_missing(
    store: Store, embedder: Embedder, chunks: Iterable[NewChunk]
) -> dict[str, np.ndarray]:
    """A vector for every chunk text, by content hash: the ones `store` holds from
    `embedder`'s model are reused, the rest are embedded in one call (each text once)."""
    texts = {c.content_hash: c.text for c in chunks}
    vectors = store.known_vectors(texts, embedder.model_id)
    missing = [h for h in texts if h not in vectors]
    if missing:
        vectors.update(zip(missing, embedder.embed([texts[h] for h in missing]), strict=True))
    return vectors
