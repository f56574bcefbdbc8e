"""Reciprocal rank fusion of ranked lists (order-independent, scale-free)."""

from __future__ import annotations

from collections.abc import Sequence


def rrf(rankings: Sequence[Sequence[int]], k: int = 60) -> dict[int, float]:
    """Fused score per key: sum over lists of 1 / (k + rank), ranks starting at 1."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return scores


def ordered(scores: dict[int, float]) -> list[int]:
    """Keys best first; ties broken by key so the order never depends on input order."""
    return sorted(scores, key=lambda key: (-scores[key], key))
