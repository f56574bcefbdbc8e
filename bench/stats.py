"""Small statistics for benchmark figures: percentiles, min/median/max over repeats, timers."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean of one run of latencies in milliseconds."""
    return {
        "p50": round(percentile(ms, 50), 3),
        "p95": round(percentile(ms, 95), 3),
        "p99": round(percentile(ms, 99), 3),
        "mean": round(statistics.fmean(ms), 3) if ms else math.nan,
        "n": len(ms),
    }


def spread(values: Sequence[float], digits: int = 3) -> dict[str, float]:
    """min/median/max of one figure over repeated runs (noisy machines: report all three)."""
    if not values:
        return {"min": math.nan, "median": math.nan, "max": math.nan}
    return {
        "min": round(min(values), digits),
        "median": round(statistics.median(values), digits),
        "max": round(max(values), digits),
    }


def ratio(numerator: float | None, denominator: float | None, digits: int = 3) -> float | None:
    """numerator / denominator, or None when either side is missing or zero."""
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, digits)


def timed_ms(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """(result, elapsed milliseconds) of one call."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter() - started) * 1000.0


def stream_timing(started: float, first: float | None, last: float | None, pieces: int) -> dict:
    """TTFT, pieces and tokens/s of a stream from its start, first and last piece times."""
    ttft = ((first or time.perf_counter()) - started) * 1000
    span = (last - first) if first and last else 0.0
    return {
        "ttft_ms": round(ttft, 2),
        "pieces": pieces,
        "tokens_per_s": round((pieces - 1) / span, 1) if span > 0 and pieces > 1 else 0.0,
    }
