"""A query's embedding, computed once per text: the embedder behind an optional memo."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from localchat.embedding.embedder import Embedder


class VectorMemo(Protocol):
    """Remembered query vectors (the response cache's query-embedding tier is one)."""

    def get(self, text: str) -> np.ndarray | None: ...
    def put(self, text: str, vector: np.ndarray) -> None: ...


class QueryVectors:
    """The one place a query text becomes a vector; the retriever and the semantic answer
    cache both ask it, so a question is embedded once whichever comes first."""

    def __init__(self, embedder: Embedder, memo: VectorMemo | None = None) -> None:
        self.embedder = embedder
        self.memo = memo

    def embed(self, text: str) -> np.ndarray:
        memo = self.memo
        if memo is not None and (vector := memo.get(text)) is not None:
            return vector
        vector = np.asarray(self.embedder.embed([text])[0], dtype=np.float32)
        if memo is not None:
            memo.put(text, vector)
        return vector
