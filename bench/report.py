"""The suite's result: the machine, every suite's figures, and the flat keys the issue names."""

from __future__ import annotations

import os
import platform
import sqlite3
import time
from importlib import metadata
from typing import Any

import msgspec

from bench.plan import Plan


class Machine(msgspec.Struct):
    cpu: str
    cores: int
    memory_gb: float
    system: str
    python: str
    sqlite: str
    packages: dict[str, str]
    load_average_start: list[float]
    load_average_end: list[float] = []


class BenchReport(msgspec.Struct):
    machine: Machine
    plan: Plan
    started: str
    seconds: float
    suites: dict[str, Any]  # suite -> figures, or {"error": "..."} / {"skipped": "why"}
    summary: dict[str, Any]  # the keys; figures, not verdicts


def machine() -> Machine:
    return Machine(
        cpu=_cpu_name(),
        cores=os.cpu_count() or 0,
        memory_gb=round(_memory_bytes() / 2**30, 1),
        system=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        packages={name: _version(name) for name in ("llama-cpp-python", "usearch", "numpy")},
        load_average_start=_load(),
    )


def finish(report: BenchReport) -> BenchReport:
    report.machine.load_average_end = _load()
    return report


def summary(suites: dict[str, Any]) -> dict[str, Any]:
    """The flat keys `localchat bench --json` promises (null when a suite did not run)."""
    ingest = _figures(suites.get("ingestion"))
    retrieval = _figures(suites.get("retrieval")) or {}
    serving = _figures(suites.get("serving"))
    ready = _figures(suites.get("ready"))
    memory = _figures(suites.get("memory"))

    def per_scale(pick) -> dict[str, float]:
        return {scale: pick(figures) for scale, figures in retrieval.items()}

    return {
        "ingest_tokens_per_s": ingest["tokens_per_s"]["median"] if ingest else None,
        "ingest_vs_raw_embedder": ingest["ingest_vs_raw_embedder"] if ingest else None,
        "ingest_vs_sentence_transformers": (
            ingest["ingest_vs_sentence_transformers"] if ingest else None
        ),
        "ingest_vs_sentence_transformers_cpu": (
            ingest.get("ingest_vs_sentence_transformers_cpu") if ingest else None
        ),
        "hybrid_p50_ms": per_scale(lambda f: f["latency_ms"]["hybrid"]["p50"]["median"]),
        "hybrid_p95_ms": per_scale(lambda f: f["latency_ms"]["hybrid"]["p95"]["median"]),
        "vector_recall_at_10": per_scale(lambda f: f["vector_recall_at_10"]),
        "rag_ttft_overhead_ms": serving["rag_ttft_overhead_ms"] if serving else None,
        "cached_speedup": serving["cached_speedup"] if serving else None,
        "ready_seconds": ready["seconds"]["median"] if ready else None,
        "ready_chunks": ready["chunks"] if ready else None,
        "rss_mb_per_100k_chunks": memory["rss_mb_per_100k_chunks"] if memory else None,
    }


def _figures(value: Any) -> Any:
    if value is None:
        return None
    plain = msgspec.to_builtins(value)
    if isinstance(plain, dict) and ("error" in plain or "skipped" in plain):
        return None
    return plain


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"
