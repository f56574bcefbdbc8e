"""The CI regression guard: ratios against baselines measured in the same run, never raw times.

A check fails only on a large relative regression (the limits leave room for a noisy machine);
a figure that is missing (a suite skipped for lack of material) is reported, not failed.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec


class Check(msgspec.Struct, frozen=True):
    path: str  # dotted path into the report: suites.ingestion.ingest_vs_raw_embedder
    op: str  # ">=" or "<="
    limit: float
    means: str


class Outcome(msgspec.Struct):
    check: Check
    value: float | None
    ok: bool


CHECKS = (
    Check(
        "suites.ingestion.ingest_vs_raw_embedder",
        ">=",
        0.5,
        "end-to-end ingestion keeps at least half the raw embedder's tokens/s",
    ),
    Check(
        "suites.serving.server_vs_direct_tokens_per_s",
        ">=",
        0.5,
        "streaming through the server keeps at least half of llama-cpp-python's tokens/s",
    ),
    Check(
        "derived.ttft_server_vs_direct",
        "<=",
        3.0,
        "time to first token through the server is at most 3x llama-cpp-python's on the "
        "same prompt",
    ),
    Check(
        "derived.hybrid_vs_parts",
        "<=",
        4.0,
        "hybrid search takes at most 4x its query embedding plus a plain FTS5 OR query "
        "(run in parallel on a busy machine, the two parts slow each other down)",
    ),
    Check(
        "derived.vector_recall_at_10",
        ">=",
        0.9,
        "HNSW finds at least 90% of the exact top 10",
    ),
    Check(
        "derived.cached_speedup",
        ">=",
        2.0,
        "a cached answer is at least twice as fast as a fresh one",
    ),
)


def evaluate(report: dict[str, Any], checks: tuple[Check, ...] = CHECKS) -> list[Outcome]:
    data = {**report, "derived": derived(report)}
    outcomes = []
    for check in checks:
        value = lookup(data, check.path)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            outcomes.append(Outcome(check, None, True))
            continue
        ok = value >= check.limit if check.op == ">=" else value <= check.limit
        outcomes.append(Outcome(check, float(value), ok))
    return outcomes


def derived(report: dict[str, Any]) -> dict[str, float | None]:
    """Ratios the guard needs that the suites report in parts (worst scale for retrieval)."""
    suites = report.get("suites", {})
    serving = suites.get("serving") or {}
    retrieval = suites.get("retrieval") or {}
    scales = [f for f in retrieval.values() if isinstance(f, dict) and "latency_ms" in f]
    ttft_server = lookup(serving, "ttft_server_ms.median")
    ttft_direct = lookup(serving, "ttft_direct_ms.median")
    hybrid = [f["hybrid_vs_parts"] for f in scales if f.get("hybrid_vs_parts") is not None]
    return {
        "ttft_server_vs_direct": (
            ttft_server / ttft_direct if ttft_server and ttft_direct else None
        ),
        "hybrid_vs_parts": max(hybrid) if hybrid else None,
        "vector_recall_at_10": min((f["vector_recall_at_10"] for f in scales), default=None),
        "cached_speedup": serving.get("cached_speedup"),
    }


def lookup(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def describe(outcomes: list[Outcome]) -> str:
    lines = []
    for o in outcomes:
        value = "missing" if o.value is None else f"{o.value:.3f}"
        mark = "ok  " if o.ok else "FAIL"
        lines.append(
            f"{mark} {o.check.path} = {value} ({o.check.op} {o.check.limit}): {o.check.means}"
        )
    return "\n".join(lines)
