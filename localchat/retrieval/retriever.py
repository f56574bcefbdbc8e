"""Hybrid retrieval: BM25 (FTS5) and vector search side by side, fused, cut, explained."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import msgspec
import numpy as np

from localchat.config import RagParams
from localchat.embedding.embedder import Embedder
from localchat.index.vector_index import UsearchIndex
from localchat.retrieval.bm25 import Bm25
from localchat.retrieval.fusion import ordered, rrf
from localchat.retrieval.query import query_terms
from localchat.retrieval.query_vectors import QueryVectors
from localchat.retrieval.scope import Scope, Scopes, search_within
from localchat.store.store import Store

Mode = Literal["hybrid", "bm25", "vector"]


class Hit(msgspec.Struct):
    """One candidate passage and why it ranks where it does ("explain")."""

    chunk_id: int
    document_id: int
    filename: str
    page: int
    chunk_index: int
    section: str
    text: str
    bm25_rank: int | None = None
    bm25_score: float | None = None
    vector_rank: int | None = None
    cosine: float | None = None
    fused: float = 0.0
    relevance: float = 0.0  # fused score scaled so the best possible hit is 1.0
    dropped: str = ""  # why the candidate was cut ("" when kept)


class Retrieval(msgspec.Struct):
    query: str
    mode: str
    params: RagParams
    hits: list[Hit]  # kept, best first
    dropped: list[Hit]  # cut by min_similarity or top_k, best first
    terms: list[str]
    timings_ms: dict[str, float]
    collection: str = "default"  # the collection searched ("all": the whole library)


class Retriever:
    """Runs one query; safe to call from many threads at once."""

    def __init__(
        self,
        store: Store,
        index: UsearchIndex,
        embedder: Embedder,
        *,
        candidates: int = 100,
        rrf_k: int = 60,
        query_vectors: QueryVectors | None = None,
    ) -> None:
        self.store = store
        self.index = index
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        # The one QueryVectors of the runtime (memoised by the cache's embedding tier, and
        # shared with the semantic answer tier); None: every query is embedded afresh.
        self.query_vectors = query_vectors or QueryVectors(embedder)
        self.bm25_plan = Bm25(store)
        self.scopes = Scopes(store)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="retrieve")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.bm25_plan.close()

    def word_counts(self, words: Sequence[str]) -> tuple[dict[str, int], int]:
        """({word: chunks of the library holding it}, chunks in all), from the BM25 index."""
        return self.bm25_plan.word_counts(list(words))

    def embed_query(self, text: str) -> np.ndarray:
        return self.query_vectors.embed(text)

    def bm25(
        self, text: str, limit: int, scope: Scope | None = None
    ) -> tuple[list[str], list[tuple[int, float]]]:
        """BM25 hits for the query's content words (bm25.py plans which words to match)."""
        terms = query_terms(text)
        if not terms:
            return terms, []
        if scope is None or scope.whole:
            return self.bm25_plan.search(terms, limit)
        return self.bm25_plan.search(terms, limit, collection=scope.collection)

    def vector(
        self, text: str, limit: int, scope: Scope | None = None
    ) -> tuple[np.ndarray, list[tuple[int, float]]]:
        """(query vector, (chunk id, cosine) best first). From the whole index the keys come
        unchecked: during a re-chunk it holds two layouts' chunks, and `_fuse` drops the ones
        not served (a scope holds serving chunks only)."""
        query_vector = self.embed_query(text)
        if scope is not None and not scope.whole:
            keys, sims = search_within(self.index, query_vector, limit, scope)
        else:
            keys, sims = self.index.search(query_vector, limit)
        return query_vector, [(int(k), float(s)) for k, s in zip(keys, sims, strict=True)]

    def search(
        self,
        text: str,
        params: RagParams,
        *,
        mode: Mode = "hybrid",
        candidates: int | None = None,
        collection: str | None = None,
    ) -> Retrieval:
        """Search one collection (None: "default"; "all": the whole library)."""
        started = time.perf_counter()
        scope = self.scopes.get(collection)
        depth = max(candidates or self.candidates, params.top_k)
        timings: dict[str, float] = {}
        bm25_future = (
            self._pool.submit(self._timed, self.bm25, text, depth, scope)
            if mode != "vector"
            else None
        )
        query_vector, vector_hits = None, []
        if mode != "bm25":
            (query_vector, vector_hits), timings["vector_ms"] = self._timed(
                self.vector, text, depth, scope
            )
        terms, bm25_hits = [], []
        if bm25_future is not None:
            (terms, bm25_hits), timings["bm25_ms"] = bm25_future.result()
        hits = self._fuse(bm25_hits, vector_hits, query_vector)
        kept, dropped = self._cut(hits, params, mode)
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        return Retrieval(text, mode, params, kept, dropped, terms, timings, scope.collection)

    @staticmethod
    def _timed(fn, *args):
        started = time.perf_counter()
        result = fn(*args)
        return result, (time.perf_counter() - started) * 1000

    def _fuse(
        self,
        bm25_hits: list[tuple[int, float]],
        vector_hits: list[tuple[int, float]],
        query_vector: np.ndarray | None,
    ) -> list[Hit]:
        # One read for every candidate's row, which also drops the vector hits of a layout
        # not being served (BM25's are checked by the store); ranks count served hits only.
        records = self.store.serving_chunks({k for k, _ in bm25_hits} | {k for k, _ in vector_hits})
        vector_hits = [hit for hit in vector_hits if hit[0] in records]
        rankings = [[k for k, _ in bm25_hits], [k for k, _ in vector_hits]]
        scores = rrf([r for r in rankings if r], self.rrf_k)
        keys = ordered(scores)
        bm25 = {k: (rank, score) for rank, (k, score) in enumerate(bm25_hits, start=1)}
        vec = {k: (rank, sim) for rank, (k, sim) in enumerate(vector_hits, start=1)}
        cosines = self._cosines([k for k in keys if k not in vec], query_vector)
        best = sum(1.0 / (self.rrf_k + 1) for r in rankings if r) or 1.0
        hits = []
        for key in keys:
            rec = records.get(key)
            if rec is None:  # deleted between search and fetch
                continue
            b_rank, b_score = bm25.get(key, (None, None))
            v_rank, cos = vec.get(key, (None, cosines.get(key)))
            hits.append(
                Hit(
                    rec.id,
                    rec.document_id,
                    rec.filename,
                    rec.page,
                    rec.ordinal,
                    rec.section,
                    rec.text,
                    b_rank,
                    b_score,
                    v_rank,
                    cos,
                    scores[key],
                    scores[key] / best,
                )
            )
        return hits

    def _cosines(self, keys: list[int], query_vector: np.ndarray | None) -> dict[int, float]:
        """Cosine for candidates only BM25 found, so min_similarity applies to every hit.

        Read from the in-memory index (f16: cosines agree with float32 to ~1e-3), which costs
        a twentieth of reading and decoding the vectors' rows from SQLite.
        """
        if query_vector is None or not keys:
            return {}
        found = self.index.vectors(keys)
        if not found:
            return {}
        query = np.asarray(query_vector, dtype=np.float32)
        query_norm = float(np.linalg.norm(query)) or 1.0
        matrix = np.stack(list(found.values()))
        norms = np.linalg.norm(matrix, axis=1)
        norms[norms == 0] = 1.0
        # einsum, not `matrix @ query`: BLAS threads slow a small product down on busy cores
        # (scope.py measured it).
        cosines = np.einsum("ij,j->i", matrix, query) / (norms * query_norm)
        return dict(zip(found, cosines.tolist(), strict=True))

    @staticmethod
    def _cut(hits: list[Hit], params: RagParams, mode: Mode) -> tuple[list[Hit], list[Hit]]:
        kept, dropped = [], []
        for hit in hits:
            # The cut applies to vector hits: a passage that shares the query's words (BM25
            # found it) stays even when a long chunk's cosine to a short question is low.
            vector_only = hit.bm25_rank is None
            weak = hit.cosine is not None and hit.cosine < params.min_similarity
            if mode != "bm25" and vector_only and weak:
                hit.dropped = f"cosine {hit.cosine:.3f} < min_similarity {params.min_similarity}"
            elif len(kept) >= params.top_k:
                hit.dropped = f"beyond top_k {params.top_k}"
            (dropped if hit.dropped else kept).append(hit)
        return kept, dropped
