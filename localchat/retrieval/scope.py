"""A search scoped to one collection: its chunk keys, and vector search among them only.

USearch 2.x has no filtered search in its Python API, so a scoped vector search is either
exact (few keys: their vectors are read from the index and compared with the query) or an
over-fetch that grows until it holds `count` keys of the collection or has seen the whole
index — it never returns fewer hits than the collection can give.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np

from localchat.index.vector_index import UsearchIndex
from localchat.store.collections import ALL, DEFAULT
from localchat.store.store import Store

# Up to this many keys the scope keeps its vectors (normalised float32: 12 MiB at 8,192 keys;
# at most `Scopes.size` scopes are kept) and compares the query with all of them: exact, and
# 0.06-1.4 ms a query at 100k vectors, where an over-fetch of a small collection would walk
# most of the graph. Reading them from the index costs ~30 ms per 1,000 keys, once per scope
# (a scope lives until the corpus changes). Measured: docs/benchmarks.md, "Collections".
EXACT_MAX_KEYS = 8192
# The over-fetch aims this much deeper than the collection's share of the index implies.
OVERFETCH_MARGIN = 1.5


@dataclass(frozen=True)
class Scope:
    """`keys` None: the whole library (the collection holds every document, or "all")."""

    collection: str
    keys: np.ndarray | None = None  # sorted uint64 chunk ids of the serving layout
    # (held keys, unit vectors) for the exact search, read from the index on first use.
    vectors: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def whole(self) -> bool:
        return self.keys is None

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """A boolean mask: which of `keys` belong to the scope."""
        keys = np.asarray(keys, dtype=np.uint64)
        if self.keys is None:
            return np.ones(keys.shape, dtype=bool)
        if self.keys.size == 0 or keys.size == 0:
            return np.zeros(keys.shape, dtype=bool)
        at = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
        return self.keys[at] == keys


class Scopes:
    """Resolves collection names to scopes, memoised per corpus version (every membership
    change bumps it), so a question asked of a collection reads its keys once."""

    def __init__(self, store: Store, size: int = 4) -> None:
        self.store = store
        self.size = size
        self._memo: dict[tuple[str, int], Scope] = {}
        self._lock = threading.Lock()

    def get(self, collection: str | None) -> Scope:
        """The scope of `collection` (None: "default"); CollectionNotFoundError if unknown."""
        name = self.store.resolve_collection(collection or DEFAULT)
        if name == ALL:
            return Scope(ALL)
        key = (name, self.store.corpus_version())
        with self._lock:
            found = self._memo.get(key)
        if found is not None:
            return found
        whole = self.store.covers_library(name)
        scope = Scope(name, None if whole else self.store.collection_chunk_ids(name))
        with self._lock:
            if len(self._memo) >= self.size:
                self._memo.clear()
            self._memo[key] = scope
        return scope


def search_within(
    index: UsearchIndex, query: np.ndarray, count: int, scope: Scope
) -> tuple[np.ndarray, np.ndarray]:
    """(keys, cosines) of the best `count` vectors among the scope's keys, best first."""
    if scope.keys is None:
        return index.search(query, count)
    empty = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.float32)
    if scope.keys.size == 0 or count <= 0 or len(index) == 0:
        return empty
    if scope.keys.size <= EXACT_MAX_KEYS:
        return _exact(index, query, count, scope)
    return _overfetch(index, query, count, scope)


def _unit_vectors(index: UsearchIndex, scope: Scope) -> tuple[np.ndarray, np.ndarray]:
    cached = scope.vectors.get(id(index))
    if cached is None:
        found = index.vectors([int(k) for k in scope.keys])
        held = np.fromiter(found, dtype=np.uint64, count=len(found))
        matrix = np.vstack(list(found.values())) if found else np.empty((0, index.dim))
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        cached = held, (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        if held.size == scope.keys.size:  # not while a write's vectors are still on the way
            scope.vectors[id(index)] = cached
    return cached


def _exact(
    index: UsearchIndex, query: np.ndarray, count: int, scope: Scope
) -> tuple[np.ndarray, np.ndarray]:
    held, matrix = _unit_vectors(index, scope)
    if held.size == 0:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.float32)
    query = np.asarray(query, dtype=np.float32)
    # einsum, not `matrix @ query`: BLAS's threads made this matrix-vector product 100x
    # slower (13 ms vs 0.1 ms for 2,000 x 384) on a busy 2-core machine.
    sims = np.einsum("ij,j->i", matrix, query) / (float(np.linalg.norm(query)) or 1.0)
    order = np.lexsort((held, -sims))[:count]  # best first, ties by key: deterministic
    return held[order], sims[order].astype(np.float32)


def _overfetch(
    index: UsearchIndex, query: np.ndarray, count: int, scope: Scope
) -> tuple[np.ndarray, np.ndarray]:
    total = len(index)
    share = scope.keys.size / max(total, 1)
    fetch = min(total, max(2 * count, math.ceil(count / share * OVERFETCH_MARGIN)))
    while True:
        keys, sims = index.search(query, fetch)
        mask = scope.contains(keys)
        if int(mask.sum()) >= count or fetch >= total:
            return keys[mask][:count], sims[mask][:count]
        fetch = min(total, fetch * 4)
