"""`localchat bench`: the performance suite; a table on stdout, or one JSON object with --json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from bench import material
from bench.harness import Log
from bench.plan import make_plan
from bench.suite import run_bench
from localchat.config import Settings


def main(args, settings: Settings) -> int:
    from localchat.commands.output import console, print_json

    plan = make_plan(quick=args.quick, scales=args.scale)
    found = material.resolve(args.shared, args.st_python)
    report = run_bench(settings, plan, Log(), found)
    document = as_document(report)
    if args.output:
        Path(args.output).write_bytes(msgspec.json.format(msgspec.json.encode(document)) + b"\n")
    if args.json:
        print_json(document)
    else:
        console().print(table(document))
    failed = [name for name, value in document["suites"].items() if "error" in (value or {})]
    return 1 if failed else 0


def as_document(report) -> dict[str, Any]:
    """The issue's flat keys first, then everything measured."""
    plain = msgspec.to_builtins(report)
    return {**plain.pop("summary"), **plain}


def table(document: dict[str, Any]):
    from rich.markup import escape
    from rich.table import Table

    machine = document["machine"]
    grid = Table(
        title=escape(
            f"LocalChat bench — {machine['cpu']}, {machine['cores']} cores, "
            f"{machine['memory_gb']} GB; load {machine['load_average_start']} → "
            f"{machine['load_average_end']}"
        ),
        caption="min / median / max over repeats; ratios are against baselines from this run",
    )
    for column in ("suite", "figure", "value"):
        grid.add_column(column)
    for suite, figure, value in rows(document):
        grid.add_row(escape(suite), escape(figure), escape(value))
    return grid


def rows(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    suites = document["suites"]
    out: list[tuple[str, str, str]] = []
    for name, figures in suites.items():
        if not isinstance(figures, dict) or {"error", "skipped"} & figures.keys():
            out.append((name, "not measured", str(figures)))
            continue
        render = RENDERERS.get(name)
        out += [(name, figure, value) for figure, value in render(figures)] if render else []
    return out


def _spread(value: dict | None, unit: str = "") -> str:
    if not value:
        return "—"
    return f"{value['min']:g} / {value['median']:g} / {value['max']:g}{unit}"


def _ingestion(f: dict) -> list[tuple[str, str]]:
    return [
        ("corpus", f"{f['files']} files, {f['chunks']} chunks, {f['tokens']:,} tokens"),
        ("ingest tokens/s", _spread(f["tokens_per_s"])),
        ("raw embedder tokens/s", _spread(f["raw_embedder_tokens_per_s"])),
        ("sentence-transformers tokens/s", _spread(f["st_tokens_per_s"]) + f"  {f['st_note']}"),
        (
            "documents/s · chunks/s",
            f"{_spread(f['documents_per_s'])} · {_spread(f['chunks_per_s'])}",
        ),
        ("ingest ÷ raw embedder", str(f["ingest_vs_raw_embedder"])),
        ("ingest ÷ sentence-transformers", str(f["ingest_vs_sentence_transformers"])),
        (
            "ingest ÷ sentence-transformers (CPU-s)",
            str(f.get("ingest_vs_sentence_transformers_cpu")),
        ),
    ]


def _retrieval(scales: dict) -> list[tuple[str, str]]:
    out = []
    for scale, f in scales.items():
        lat = f["latency_ms"]
        for probe in PROBES:
            p = lat[probe]
            out.append(
                (
                    f"{int(scale):,} · {probe} p50 / p95 / p99 ms",
                    f"{p['p50']['median']:g} / {p['p95']['median']:g} / {p['p99']['median']:g}"
                    f"  (p50 {_spread(p['p50'])})",
                )
            )
        out.append((f"{int(scale):,} · vector recall@10", str(f["vector_recall_at_10"])))
        out.append(
            (
                f"{int(scale):,} · hybrid ÷ (embed + FTS5 OR)",
                f"{f['hybrid_vs_parts']}  (÷ FTS5 OR {f['hybrid_vs_fts5_or']})",
            )
        )
    return out


def _serving(f: dict) -> list[tuple[str, str]]:
    out = [
        ("prompt tokens (sources included)", _spread(f["prompt_tokens"])),
        (
            "TTFT server · llama-cpp-python ms",
            f"{_spread(f['ttft_server_ms'])} · {_spread(f['ttft_direct_ms'])}",
        ),
        (
            "TTFT, prompt in KV cache, server · direct ms",
            f"{_spread(f['ttft_server_warm_ms'])} · {_spread(f['ttft_direct_warm_ms'])}",
        ),
        ("new question: retrieval + budget, in process ms", _spread(f["prepare_ms"])),
        (
            "RAG TTFT overhead ms (warm difference + new question's preparation; cold diff.)",
            f"{f['rag_ttft_overhead_ms']} = {f['ttft_warm_difference_ms']} + "
            f"{f['prepare_ms']['median']}  ({f['cold_ttft_difference_ms']})",
        ),
        (
            "tokens/s server · direct",
            f"{_spread(f['tokens_per_s_server'])} · {_spread(f['tokens_per_s_direct'])}",
        ),
        ("cached speed-up (L1)", str(f["cached_speedup"])),
    ]
    for clients, c in f["cached"].items():
        out.append(
            (
                f"cached, {clients} clients",
                f"{c['requests_per_s']} req/s, p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms",
            )
        )
    return out


def _ready(f: dict) -> list[tuple[str, str]]:
    return [(f"cold start to ready, {f['chunks']:,} chunks (s)", _spread(f["seconds"]))]


def _memory(f: dict) -> list[tuple[str, str]]:
    out = [("peak RSS, empty library MB", str(f["baseline_peak_rss_mb"]))]
    out += [(f"peak RSS, {int(n):,} chunks MB", str(mb)) for n, mb in f["peak_rss_mb"].items()]
    out += [(f"RSS added by {int(n):,} chunks MB", str(mb)) for n, mb in f["library_mb"].items()]
    out += [
        ("RSS per 100k chunks MB", str(f["rss_mb_per_100k_chunks"])),
        (
            "index · database per 100k chunks MB",
            f"{f['index_mb_per_100k_chunks']} · {f['db_mb_per_100k_chunks']}",
        ),
    ]
    return out


PROBES = ("hybrid", "bm25", "vector", "bm25_store", "fts5_or_raw", "usearch_raw", "embed_query_raw")
RENDERERS = {
    "ingestion": _ingestion,
    "retrieval": _retrieval,
    "serving": _serving,
    "ready": _ready,
    "memory": _memory,
}
