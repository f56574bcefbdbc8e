"""The tiered cache (L1 memory → L2 SQLite → semantic) for answers, retrievals and query vectors.

A wrapper the chat service calls: it stores and finds encoded values under keys built from
plain values (keys.py), and never runs the work it caches. Never stale by construction:
every corpus-dependent key contains the corpus version, entries of older versions are purged
as soon as a newer version is seen, and a value computed while the corpus changed under it
is not stored at all.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import NamedTuple, Protocol

import msgspec
import numpy as np

from localchat.cache.keys import AnswerKey, EmbeddingKey, RetrievalKey, cache_key
from localchat.cache.memory_tier import MemoryTier
from localchat.cache.semantic import Candidate, best_match, normalise
from localchat.cache.sqlite_tier import SqliteTier
from localchat.config import CacheSettings
from localchat.embedding.embedder import Embedder
from localchat.retrieval.query_vectors import QueryVectors
from localchat.store.store import Store

log = logging.getLogger(__name__)

SEMANTIC_CANDIDATES = 256  # most recent questions compared per context


class CacheTier(Protocol):
    name: str

    def get(self, key: str) -> tuple[bytes, int] | None: ...
    def put(self, key: str, value: bytes, *, kind: str, version: int = -1) -> None: ...
    def purge_corpus(self, below: int | None = None) -> int: ...


class CacheHit(NamedTuple):
    value: bytes
    tier: str  # "l1" | "l2" | "semantic"
    version: int = -1  # the corpus version the value depends on (-1: none)


class Ticket(msgspec.Struct, frozen=True):
    """One answer's (or retrieval's) place in the cache, fixed before any work starts."""

    key: str
    context: str  # key shared by near-duplicate questions ("" when the semantic tier is off)
    question: str
    version: int  # corpus version the key was made at (-1: the answer ignores the corpus)
    epoch: int  # ResponseCache.invalidate() count when the ticket was made
    lookup: bool  # False: compute afresh (Cache-Control: no-cache), still store the result


class ResponseCache:
    """Thread-safe; one per Resources. Cache faults are logged and treated as misses."""

    def __init__(
        self,
        settings: CacheSettings,
        store: Store,
        embedder: Embedder,
        report: Callable[[str, bool], None],
    ) -> None:
        """`report(tier, hit)` is told of every lookup (Telemetry.cache).
        `query_vectors` is the runtime's one QueryVectors, memoised by this cache's embedding
        tier: the retriever is given it, and the semantic answer tier embeds through it too."""
        self.settings = settings
        self.store = store
        self.report = report
        self.memory = MemoryTier(settings.l1_entries, settings.l1_bytes)
        self.sqlite = SqliteTier(store, settings.l2_entries)
        self.query_embeddings = QueryEmbeddingCache(self, embedder.model_id)
        self.query_vectors = QueryVectors(embedder, self.query_embeddings)
        self._epoch = 0
        self._seen_version: int | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    @property
    def tiers(self) -> list[CacheTier]:
        return [self.memory, self.sqlite] if self.sqlite.enabled else [self.memory]

    # -- answers -----------------------------------------------------------------------------

    def answer_ticket(self, key: AnswerKey, *, use_cache: bool = True) -> Ticket | None:
        """None when this request must neither be served from nor stored in the cache."""
        if not self.enabled or (key.sampled and not self.settings.cache_sampled):
            return None
        epoch, version = self._epoch, -1
        if key.preset is not None:
            version = self.corpus_version()
            key = msgspec.structs.replace(key, corpus_version=version)
        semantic = self.settings.semantic and self.sqlite.enabled
        context = cache_key("context", key.context()) if semantic else ""
        return Ticket(cache_key("answer", key), context, key.question, version, epoch, use_cache)

    def lookup_answer(self, ticket: Ticket) -> CacheHit | None:
        if not ticket.lookup:
            return None
        if (hit := self.get(ticket.key, report=True)) is not None:
            return hit
        if not ticket.context:
            return None
        value = self._semantic(ticket)
        self.report("semantic", value is not None)
        return None if value is None else CacheHit(value, "semantic", ticket.version)

    def store_answer(self, ticket: Ticket, value: bytes) -> None:
        if not self._still_current(ticket.epoch, ticket.version):
            return  # the corpus changed while this answer was made: it may already be stale
        self.put(ticket.key, value, kind="answer", version=ticket.version)
        if ticket.context:
            vector = self.embed_query(ticket.question)
            candidate = Candidate(normalise(ticket.question), vector.tobytes(), ticket.key)
            self._safely(
                self.sqlite.put,
                candidate_key(ticket.context, ticket.key),
                msgspec.msgpack.encode(candidate),
                kind="candidate",
                version=ticket.version,
            )

    def _semantic(self, ticket: Ticket) -> bytes | None:
        rows = self._safely(self.sqlite.scan, candidate_key(ticket.context), SEMANTIC_CANDIDATES)
        candidates = [msgspec.msgpack.decode(value, type=Candidate) for _, value in rows or []]
        match = best_match(
            ticket.question,
            candidates,
            self.embed_query,
            fuzzy_threshold=self.settings.fuzzy_threshold,
            cosine_threshold=self.settings.semantic_threshold,
        )
        if match is None:
            return None
        hit = self.get(match.answer_key)
        if hit is None:  # the answer was evicted before its candidate row
            self._safely(self.sqlite.delete, [candidate_key(ticket.context, match.answer_key)])
            return None
        # Next time this wording is an exact L1 hit.
        self.memory.put(ticket.key, hit.value, kind="answer", version=hit.version)
        return hit.value

    # -- retrievals and query vectors ----------------------------------------------------------

    def retrieval_ticket(self, key: RetrievalKey, *, use_cache: bool = True) -> Ticket | None:
        """A retrieval's place at the current corpus version; None while the cache is off."""
        if not self.enabled:
            return None
        epoch, version = self._epoch, self.corpus_version()
        key = msgspec.structs.replace(key, corpus_version=version)
        return Ticket(cache_key("retrieval", key), "", key.query, version, epoch, use_cache)

    def lookup_retrieval(self, ticket: Ticket) -> bytes | None:
        if not ticket.lookup:
            return None
        hit = self.get(ticket.key)
        self.report("retrieval", hit is not None)
        return None if hit is None else hit.value

    def store_retrieval(self, ticket: Ticket, value: bytes) -> None:
        if self._still_current(ticket.epoch, ticket.version):
            self.put(ticket.key, value, kind="retrieval", version=ticket.version)

    def embed_query(self, text: str) -> np.ndarray:
        return self.query_vectors.embed(text)

    # -- corpus changes ----------------------------------------------------------------------

    def corpus_version(self) -> int:
        """The store's corpus version; the first sight of a new one purges older entries."""
        version = self.store.corpus_version()
        if version != self._seen_version:
            with self._lock:
                if version != self._seen_version:
                    self.memory.purge_corpus(below=version)
                    self._safely(self.sqlite.purge_corpus, below=version)
                    self._seen_version = version
        return version

    def invalidate(self) -> None:
        """This process changed the corpus: drop every corpus-dependent entry, and refuse to
        store values that were being computed meanwhile (they may predate the change)."""
        with self._lock:
            self._epoch += 1
            self.memory.purge_corpus()
            self._safely(self.sqlite.purge_corpus)
            self._seen_version = self.store.corpus_version()

    def stats(self) -> dict[str, int]:
        l2 = self._safely(self.sqlite.count) if self.sqlite.enabled else 0
        return {
            "l1_entries": len(self.memory),
            "l1_bytes": self.memory.bytes_used,
            "l2_entries": l2 or 0,
        }

    def close(self) -> None:
        self._safely(self.sqlite.flush)

    # -- tier plumbing -----------------------------------------------------------------------

    def _still_current(self, epoch: int, version: int) -> bool:
        if epoch != self._epoch:
            return False
        return version < 0 or self.store.corpus_version() == version

    def get(self, key: str, *, report: bool = False) -> CacheHit | None:
        """Through the tiers in order (each lookup reported if asked); an L2 hit moves to L1."""
        for tier in self.tiers:
            entry = self._safely(tier.get, key)
            if report:
                self.report(tier.name, entry is not None)
            if entry is not None:
                if tier is not self.memory:
                    self.memory.put(key, entry[0], version=entry[1])
                return CacheHit(entry[0], tier.name, entry[1])
        return None

    def put(self, key: str, value: bytes, *, kind: str, version: int) -> None:
        """Into every tier; `version` is the corpus version the value depends on (-1: none)."""
        for tier in self.tiers:
            self._safely(tier.put, key, value, kind=kind, version=version)

    @staticmethod
    def _safely(operation: Callable, *args, **kwargs):
        """A cache that cannot read or write (disk full, locked) costs speed, never answers."""
        try:
            return operation(*args, **kwargs)
        except sqlite3.Error as exc:
            log.warning("cache %s failed: %s", getattr(operation, "__name__", "call"), exc)
            return None


class QueryEmbeddingCache:
    """The memo of the one QueryVectors (get(text) / put(text, vector)): safe forever."""

    def __init__(self, cache: ResponseCache, model_id: str) -> None:
        self.cache = cache
        self.model_id = model_id

    def get(self, text: str) -> np.ndarray | None:
        if not self.cache.enabled:
            return None
        hit = self.cache.get(cache_key("embedding", EmbeddingKey(self.model_id, text)))
        self.cache.report("embedding", hit is not None)
        return None if hit is None else np.frombuffer(hit.value, dtype=np.float32).copy()

    def put(self, text: str, vector: np.ndarray) -> None:
        if self.cache.enabled:
            value = np.asarray(vector, dtype=np.float32).tobytes()
            key = cache_key("embedding", EmbeddingKey(self.model_id, text))
            self.cache.put(key, value, kind="embedding", version=-1)


def candidate_key(context: str, answer: str = "") -> str:
    """Candidate rows of one context share a key prefix, so one range scan finds them all."""
    return f"candidate:{context.partition(':')[2]}:{answer.partition(':')[2]}"
