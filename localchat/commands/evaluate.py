"""`localchat eval DIR`: ingest a BEIR corpus once (cached), then measure retrieval quality."""

from __future__ import annotations

import sys
from pathlib import Path

import msgspec

# Imported before usearch (via retrieval.evaluate) on purpose: when usearch's extension loads
# first, llama.cpp later fails to read a BPE vocabulary ("std::bad_cast", so the bundled
# SmolLM2 does not load); the cache package pulls in the shared C++ runtime first.
import localchat.cache  # noqa: F401
from localchat.config import PRESETS, RagSettings, Settings
from localchat.errors import InvalidRequestError
from localchat.resources import Resources
from localchat.retrieval.evaluate import (
    EvalReport,
    corpus_documents,
    documents_ranked,
    eval_data_dir,
    make_report,
    read_beir,
    run_queries,
)
from localchat.store.collections import DEFAULT, collection_name

EVAL_DEPTH = 100  # documents ranked per query (recall@100)


def run_eval(
    settings: Settings,
    folder: Path,
    *,
    preset: str = "balanced",
    limit: int | None = None,
    modes: tuple[str, ...] = ("hybrid",),
    embedder=None,
    quiet: bool = False,
    collection: str | None = None,
) -> list[EvalReport]:
    """Without `collection` the corpus gets a library of its own; with one it is ingested
    into that collection of a shared evaluation library (other corpora may sit beside it in
    their collections) and every query is ranked within the collection only."""
    corpus, queries, qrels = read_beir(folder)
    if limit:
        queries = queries[:limit]
    if collection is not None:
        collection = collection_name(collection, allow_all=False)
    data_dir = eval_data_dir(settings, corpus, preset, shared=collection is not None)
    eval_settings = msgspec.structs.replace(
        settings, data_dir=str(data_dir), rag=RagSettings(preset=preset)
    )
    runtime = Resources.open(eval_settings, embedder=embedder, isolate_parsing=False)
    try:
        total = sum(1 for line in corpus.read_bytes().splitlines() if line.strip())
        seconds = 0.0
        if _held(runtime.store, collection) != total:
            if not quiet:
                print(f"ingesting {total} documents into {data_dir} (once)…", file=sys.stderr)
            report = runtime.library.ingest_documents(
                corpus_documents(corpus, corpus.parent.name),
                total,
                collection=collection or DEFAULT,
            )
            seconds = report.seconds
        docs, chunks = runtime.store.counts()
        if collection is not None:
            info = runtime.store.get_collection(collection)
            docs, chunks = info.documents, info.chunks
        # Rank deep enough for recall@100 even when several chunks share a document.
        params = msgspec.structs.replace(PRESETS[preset], top_k=3 * EVAL_DEPTH)
        reports = []
        for mode in modes:

            def search(text: str, mode=mode) -> list[str]:
                found = runtime.retriever.search(
                    text, params, mode=mode, candidates=3 * EVAL_DEPTH, collection=collection
                )
                return documents_ranked(found.hits, EVAL_DEPTH)

            search(queries[0].text) if queries else None  # warm caches and threads
            metrics, latencies = run_queries(search, queries, qrels)
            reports.append(
                make_report(
                    metrics,
                    latencies,
                    queries=len(queries),
                    preset=preset,
                    mode=mode,
                    docs=docs,
                    chunks=chunks,
                    secs=seconds,
                )
            )
        return reports
    finally:
        runtime.close()


def _held(store, collection: str | None) -> int:
    """Documents of the corpus already ingested (all of a corpus' own library)."""
    if collection is None:
        return store.counts()[0]
    if collection not in store.collection_names():
        return 0
    return store.get_collection(collection).documents


def main(args, settings: Settings) -> int:
    from rich.table import Table

    from localchat.commands.output import console, print_json

    if getattr(args, "answers", None):
        from localchat.commands.evaluate_answers import answers_main

        return answers_main(args, settings)
    if not args.dir:
        raise InvalidRequestError(
            "eval needs a BEIR folder or --answers FILE",
            hint="run `localchat eval DIR` or `localchat eval --answers FILE`",
        )

    modes = ("hybrid", "bm25", "vector") if args.mode == "all" else (args.mode,)
    reports = run_eval(
        settings,
        Path(args.dir),
        preset=args.preset,
        limit=args.limit,
        modes=modes,
        quiet=args.json,
        collection=getattr(args, "collection", None),
    )
    if args.json:
        print_json(reports[0] if len(reports) == 1 else {"runs": reports, **_flat(reports[0])})
        return 0
    table = Table(
        title=f"{Path(args.dir).name}: {reports[0].queries} queries, preset {args.preset}"
        + (f", collection {args.collection}" if getattr(args, "collection", None) else "")
    )
    for col in ("mode", "nDCG@10", "recall@10", "recall@100", "MRR@10", "p50 ms", "p95 ms"):
        table.add_column(col)
    for r in reports:
        table.add_row(
            r.mode,
            f"{r.ndcg_at_10:.4f}",
            f"{r.recall_at_10:.4f}",
            f"{r.recall_at_100:.4f}",
            f"{r.mrr_at_10:.4f}",
            f"{r.p50_ms:.1f}",
            f"{r.p95_ms:.1f}",
        )
    console().print(table)
    return 0


def _flat(report: EvalReport) -> dict:
    return msgspec.to_builtins(report)
