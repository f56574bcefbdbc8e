"""Scoped vector search (one collection) against unscoped search in the same run.

    python -m bench.collection_scope [N] [SHARE ...]

N clustered 384-d unit vectors (200 centres plus noise, like text embeddings) go into a real
UsearchIndex (kept in /tmp/collection-scope-N.usearch for the next run); for each share of
the index taken as a collection it reports the median query time of a top-100 scoped search
(after the first, which reads the scope's vectors), that time as a ratio of an unscoped top-100
search measured in the same run, and recall@10 against an exact search within the collection.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from localchat.index.vector_index import UsearchIndex
from localchat.retrieval import scope as scope_module
from localchat.retrieval.scope import Scope, search_within

DIM, QUERIES = 384, 50


def clustered(rng: np.random.Generator, centres: np.ndarray, count: int) -> np.ndarray:
    picked = centres[rng.integers(0, len(centres), count)]
    vectors = (picked + 0.6 * rng.standard_normal((count, DIM))).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def median_ms(fn, queries) -> tuple[list, float]:
    found, times = [], []
    for query in queries:
        started = time.perf_counter()
        found.append(fn(query))
        times.append((time.perf_counter() - started) * 1000)
    return found, float(np.median(times))


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 20_000
    shares = [float(s) for s in argv[1:]] or [0.005, 0.02, 0.08, 0.2, 0.5]
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((200, DIM)).astype(np.float32)
    vectors = clustered(rng, centres, n)
    index = UsearchIndex(DIM)
    saved = Path(f"/tmp/collection-scope-{n}.usearch")
    if not index.load(saved):
        index.add(np.arange(n, dtype=np.uint64), vectors)
        index.save(saved)
    queries = clustered(rng, centres, QUERIES)
    index.search(queries[0], 100)
    _, base = median_ms(lambda q: index.search(q, 100), queries)
    print(f"{n} vectors: unscoped top-100 {base:.2f} ms (median)")
    for share in shares:
        keys = np.sort(rng.choice(n, int(n * share), replace=False)).astype(np.uint64)
        scope = Scope("bench", keys)
        started = time.perf_counter()
        search_within(index, queries[0], 100, scope)
        first = (time.perf_counter() - started) * 1000
        found, ms = median_ms(
            lambda q, scope=scope: search_within(index, q, 100, scope)[0], queries
        )
        inside = vectors[keys.astype(np.int64)]
        recall = np.mean([
            len(set(got[:10].tolist()) & set(keys[np.argsort(-(inside @ q))[:10]].tolist())) / 10
            for q, got in zip(queries, found, strict=True)
        ])  # fmt: skip
        path = "exact" if keys.size <= scope_module.EXACT_MAX_KEYS else "over-fetch"
        print(
            f"share {share:.1%} ({keys.size} keys, {path}): first {first:.1f} ms, then "
            f"{ms:.2f} ms = {ms / base:.2f}x unscoped; recall@10 vs exact {recall:.3f}; "
            f"fewest hits {min(len(f) for f in found)}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
