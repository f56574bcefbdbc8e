"""Where one hybrid search's time goes: each stage of `Retriever.search` timed on its own.

    python -m bench.hybrid_split --data-dir D [--chunks 100000] [--queries 100] [--repeats 3]

D is a data dir whose `bench/` holds the synthetic corpus and seed set that `localchat bench
--scale N` built (nothing is built here). Every stage runs on the calling thread, one after
the other, so its wall and CPU time are its own; the product search (first row) runs BM25 in
a second thread beside the vector branch. Medians over queries x repeats, in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

STAGES = (
    "hybrid search (product, both branches)",
    "query embedding",
    "BM25 (planned, with rescoring)",
    "  FTS5 match + layout check",
    "  texts + row sizes for rescoring",
    "USearch search, 100",
    "fusion: rows, layout check, cosines, hits",
    "  rows of every candidate",
    "  cosines of BM25-only hits",
    "cut (min_similarity, top_k)",
)


def split(data_dir: Path, chunks: int, queries: int, repeats: int) -> dict[str, tuple[float, ...]]:
    """stage -> (wall p50, CPU p50 of the calling thread) in ms."""
    import onnxruntime  # noqa: F401  (before usearch: the other order segfaults, see ocr.py)

    from bench.harness import open_runtime
    from bench.seeds import _load
    from localchat.config import PRESETS, Settings
    from localchat.embedding.embedder import open_embedder
    from localchat.retrieval.query import fts_match, query_terms

    root = data_dir / "bench"
    corpus = next(root.glob(f"corpus-*-{chunks}-*"), None)
    seed_file = next(root.glob("seeds-*.npz"), None)
    if corpus is None or seed_file is None:
        raise SystemExit(f"no corpus of {chunks} chunks under {root}: run `localchat bench` first")
    settings = Settings(data_dir=str(data_dir))
    embedder = open_embedder(settings)
    runtime, _ = open_runtime(settings, corpus, embedder)
    runtime.retriever.query_vectors.memo = None  # embed every query, as a new one is
    retriever, store, params = runtime.retriever, runtime.store, PRESETS["balanced"]
    texts = _load(seed_file).queries[:queries]
    times: dict[str, tuple[list[float], list[float]]] = {s: ([], []) for s in STAGES}

    def timed(stage: str, fn: Callable, *args):
        wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
        result = fn(*args)
        times[stage][0].append((time.perf_counter_ns() - wall) / 1e6)
        times[stage][1].append((time.thread_time_ns() - cpu) / 1e6)
        return result

    try:
        for text in texts[:5]:
            retriever.search(text, params)
        for _ in range(repeats):
            for text in texts:
                timed(STAGES[0], retriever.search, text, params)
                vector = timed(STAGES[1], lambda t=text: embedder.embed([t])[0])
                _, bm25_hits = timed(STAGES[2], retriever.bm25, text, retriever.candidates)
                _stages_of_bm25(timed, retriever, store, query_terms(text), fts_match)
                keys, sims = timed(STAGES[5], runtime.index.search, vector, retriever.candidates)
                vector_hits = [(int(k), float(s)) for k, s in zip(keys, sims, strict=True)]
                hits = timed(STAGES[6], retriever._fuse, bm25_hits, vector_hits, vector)
                candidates = {k for k, _ in bm25_hits} | {k for k, _ in vector_hits}
                timed(STAGES[7], store.serving_chunks, candidates)
                only_bm25 = [k for k, _ in bm25_hits if k not in {k for k, _ in vector_hits}]
                timed(STAGES[8], retriever._cosines, only_bm25, vector)
                timed(STAGES[9], retriever._cut, hits, params, "hybrid")
    finally:
        runtime.close()
        embedder.close()
    return {
        stage: (round(statistics.median(w), 2), round(statistics.median(c), 2))
        for stage, (w, c) in times.items()
        if w
    }


def _stages_of_bm25(timed, retriever, store, words, fts_match) -> None:
    from localchat.retrieval import query

    plan = retriever.bm25_plan
    stems = plan.memo.stemmer.stems(words)
    doc_freq = plan.doc_freq(sorted({s for key in stems.values() for s in key}))
    rows, _ = plan.memo.totals(store)
    kept = query.select_terms(words, stems, doc_freq, query.row_budget(rows))
    if kept:
        found = timed("  FTS5 match + layout check", store.fts, fts_match(kept), 100)
        ids = [chunk for chunk, _ in found]
        timed(
            "  texts + row sizes for rescoring",
            lambda: (store.chunk_texts(ids), store.fts_doc_tokens(ids)),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    figures = split(args.data_dir, args.chunks, args.queries, args.repeats)
    print(f"load average {os.getloadavg()[0]:.1f}; ms, median of {args.queries}x{args.repeats}")
    print(f"{'stage':44s} {'wall':>7s} {'CPU':>7s}")
    for stage, (wall, cpu) in figures.items():
        print(f"{stage:44s} {wall:7.2f} {cpu:7.2f}")


if __name__ == "__main__":
    main()
