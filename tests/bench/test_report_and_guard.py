"""The JSON document carries the issue's keys; the table renders every suite; the CI guard
fails only on large relative regressions and reports missing figures without failing."""

from __future__ import annotations

import io

import msgspec
from rich.console import Console

from bench import guard
from bench.command import as_document, table
from bench.ingestion import IngestFigures
from bench.memory import MemoryFigures
from bench.plan import make_plan
from bench.report import BenchReport, machine, summary
from bench.retrieval import ScaleFigures
from bench.serving import ServingFigures

ISSUE_KEYS = {
    "ingest_tokens_per_s",
    "ingest_vs_raw_embedder",
    "ingest_vs_sentence_transformers",
    "hybrid_p50_ms",
    "hybrid_p95_ms",
    "vector_recall_at_10",
    "rag_ttft_overhead_ms",
    "cached_speedup",
    "ready_seconds",
    "rss_mb_per_100k_chunks",
}


def _spread(value: float) -> dict[str, float]:
    return {"min": value * 0.9, "median": value, "max": value * 1.1}


def _latency(p50: float) -> dict[str, dict[str, float]]:
    return {"p50": _spread(p50), "p95": _spread(p50 * 2), "p99": _spread(p50 * 3)}


def _suites(ingest_ratio: float = 0.9, recall: float = 0.97) -> dict:
    probes = (
        "bm25",
        "vector",
        "hybrid",
        "bm25_store",
        "fts5_or_raw",
        "usearch_raw",
        "embed_query_raw",
    )
    return {
        "ingestion": IngestFigures(
            files=3,
            documents=3,
            chunks=30,
            tokens=6000,
            failed=0,
            seconds=_spread(2.0),
            documents_per_s=_spread(1.5),
            chunks_per_s=_spread(15.0),
            tokens_per_s=_spread(3000),
            raw_embedder_tokens_per_s=_spread(3300),
            st_tokens_per_s=None,
            st_note="absent",
            ingest_vs_raw_embedder=ingest_ratio,
            ingest_vs_sentence_transformers=None,
        ),
        "retrieval": {
            "10000": ScaleFigures(
                chunks=10_000,
                build_seconds=9.0,
                open_seconds=0.2,
                index_state="loaded",
                latency_ms={p: _latency(5.0) for p in probes},
                vector_recall_at_10=recall,
                hybrid_vs_fts5_or=1.0,
                hybrid_vs_embed_query=1.0,
                hybrid_vs_parts=0.5,
            )
        },
        "serving": ServingFigures(
            chunks=10_000,
            prompt_tokens=_spread(3000),
            ttft_server_ms=_spread(120),
            ttft_direct_ms=_spread(100),
            cold_ttft_difference_ms=25.0,
            ttft_server_warm_ms=_spread(45),
            ttft_direct_warm_ms=_spread(25),
            ttft_warm_difference_ms=8.0,
            prepare_ms=_spread(12),
            rag_ttft_overhead_ms=20.0,
            tokens_per_s_server=_spread(48),
            tokens_per_s_direct=_spread(50),
            server_vs_direct_tokens_per_s=0.96,
            cached={"1": {"requests_per_s": 200.0, "p50_ms": 4.0, "p99_ms": 9.0, "requests": 40}},
            cache_tiers=None,
            cached_speedup=80.0,
        ),
        "ready": {"chunks": 10_000, "seconds": _spread(1.2), "runs": [1.1, 1.2, 1.3]},
        "memory": MemoryFigures(
            baseline_peak_rss_mb=130.0,
            peak_rss_mb={"10000": 145.0},
            rss_mb_per_100k_chunks=150.0,
            library_mb={"10000": 15.0},
            index_mb_per_100k_chunks=87.0,
            db_mb_per_100k_chunks=610.0,
            files_mb={"10000": {"index": 8.7, "db": 61.0}},
        ),
    }


def _document(**kwargs) -> dict:
    suites = _suites(**kwargs)
    report = BenchReport(machine(), make_plan(quick=True), "now", 1.0, suites, summary(suites))
    return as_document(report)


def test_document_has_the_issue_keys_with_figures():
    document = _document()
    assert document.keys() >= ISSUE_KEYS
    assert document["hybrid_p50_ms"] == {"10000": 5.0}
    assert document["ingest_vs_sentence_transformers"] is None  # no venv: null, not a guess
    assert document["ready_seconds"] == 1.2
    msgspec.json.encode(document)  # plain JSON all the way down


def test_missing_suites_give_nulls_not_errors():
    empty = summary({"serving": {"error": "boom"}})
    assert empty["rag_ttft_overhead_ms"] is None and empty["hybrid_p50_ms"] == {}


def test_table_renders_every_suite():
    out = io.StringIO()
    Console(file=out, width=200).print(table(_document()))
    text = out.getvalue()
    for needle in (
        "ingest ÷ raw embedder",
        "10,000 · hybrid",
        "TTFT server",
        "cold start",
        "RSS per 100k",
    ):
        assert needle in text


def test_guard_passes_a_healthy_run():
    document = msgspec.json.decode(msgspec.json.encode(_document()))
    outcomes = guard.evaluate(document)
    assert all(o.ok for o in outcomes), guard.describe(outcomes)
    assert any(o.value is None for o in outcomes) is False


def test_guard_fails_large_relative_regressions_only():
    document = msgspec.json.decode(msgspec.json.encode(_document(ingest_ratio=0.3, recall=0.5)))
    failed = {o.check.path for o in guard.evaluate(document) if not o.ok}
    assert failed == {"suites.ingestion.ingest_vs_raw_embedder", "derived.vector_recall_at_10"}


def test_guard_reports_missing_figures_without_failing():
    outcomes = guard.evaluate({"suites": {"ingestion": {"skipped": "no files"}}})
    assert all(o.ok and o.value is None for o in outcomes)
    assert "missing" in guard.describe(outcomes)
