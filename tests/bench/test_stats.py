"""Percentiles, spreads and ratios: bounds and monotonicity hold for any input."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from bench.stats import latency_summary, percentile, ratio, spread

values = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=50)


def test_percentile_interpolates_between_ranks():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10], 99) == 10
    assert math.isnan(percentile([], 50))


@given(values, st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_percentile_is_bounded_and_monotone(sample, q1, q2):
    low, high = sorted((q1, q2))
    assert min(sample) <= percentile(sample, low) <= percentile(sample, high) <= max(sample)


@given(values)
def test_spread_orders_min_median_max(sample):
    s = spread(sample, digits=6)
    assert s["min"] <= s["median"] <= s["max"]


def test_latency_summary_keys_and_order():
    summary = latency_summary([5.0, 1.0, 3.0, 100.0])
    assert summary["n"] == 4
    assert summary["p50"] <= summary["p95"] <= summary["p99"] <= 100.0


def test_ratio_is_none_without_a_baseline():
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(3.0, 0.0) is None
    assert ratio(None, 2.0) is None


def test_both_plans_build_and_quick_is_smaller():
    from bench.plan import make_plan

    full, quick = make_plan(), make_plan(quick=True)
    assert quick.queries < full.queries and quick.seed_texts < full.seed_texts
    assert make_plan(scales=[1_000_000]).scales == (1_000_000,)
