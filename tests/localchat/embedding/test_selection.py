"""Choosing the fastest accurate embedder: measurement, the pick, and the cached verdict."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pytest

from localchat.embedding.embedder import HashEmbedder
from localchat.embedding.selection import (
    CHOICE_FILE,
    Choice,
    Measurement,
    NamedCandidate,
    choose,
    load_choice,
    machine_key,
    pick,
    save_choice,
)
from localchat.errors import ModelLoadError

TEXTS = [f"passage {n} about filters, pumps and the treaty of 1648" for n in range(12)]


class Slow(HashEmbedder):
    """The fake, made slower by burning CPU per text (selection measures CPU time)."""

    def __init__(self, spin: float) -> None:
        super().__init__()
        self.spin = spin

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        end = time.process_time() + self.spin * len(texts)
        while time.process_time() < end:
            pass
        return super().embed(texts)


class Noisy(HashEmbedder):
    """Fast but inaccurate: vectors rotated away from the reference."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = super().embed(texts)
        noisy = vectors + 0.2 * np.roll(vectors, 1, axis=1)
        return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def failing() -> HashEmbedder:
    raise ModelLoadError("no such engine here")


def test_pick_prefers_the_fastest_accurate_one() -> None:
    measured = [
        Measurement("ref", 100.0, 1.0),
        Measurement("fast-but-wrong", 900.0, 0.99),
        Measurement("fast", 300.0, 0.9995),
        Measurement("broken", 0.0, 0.0, error="boom"),
    ]
    assert pick(measured) == "fast"


def test_pick_falls_back_to_the_reference_when_none_is_accurate() -> None:
    assert pick([Measurement("ref", 1.0, 0.5), Measurement("b", 9.0, 0.9)]) == "ref"


def test_choose_measures_every_candidate_and_keeps_the_winner_open() -> None:
    candidates = [
        NamedCandidate("reference", lambda: Slow(0.004)),
        NamedCandidate("noisy", Noisy),
        NamedCandidate("fast", HashEmbedder),
        NamedCandidate("broken", failing),
    ]
    choice, embedder = choose(candidates, TEXTS, key="k", rounds=1)
    assert choice.chosen == "fast"
    assert isinstance(embedder, HashEmbedder) and not isinstance(embedder, Slow | Noisy)
    by_name = {m.name: m for m in choice.measurements}
    assert by_name["noisy"].min_cosine < 0.999
    assert by_name["fast"].min_cosine == pytest.approx(1.0)
    assert by_name["fast"].tokens_per_cpu_s > by_name["reference"].tokens_per_cpu_s
    assert "no such engine" in by_name["broken"].error
    assert "fast" in choice.describe() and "x reference" in choice.describe()


def test_choose_fails_clearly_without_a_reference() -> None:
    with pytest.raises(ModelLoadError, match="reference embedder"):
        choose([NamedCandidate("r", failing), NamedCandidate("b", HashEmbedder)], TEXTS, "k")
    with pytest.raises(ValueError):
        choose([], TEXTS, "k")


def test_choice_round_trips_and_a_new_key_invalidates_it(tmp_path) -> None:
    choice = Choice("key-1", "fast", [Measurement("fast", 10.0, 1.0)], 1.0)
    save_choice(tmp_path, choice)
    assert load_choice(tmp_path, "key-1") == choice
    assert load_choice(tmp_path, "key-2") is None
    (tmp_path / CHOICE_FILE).write_text("{not json")
    assert load_choice(tmp_path, "key-1") is None
    assert load_choice(tmp_path / "missing", "key-1") is None


def test_machine_key_depends_on_its_parts() -> None:
    assert machine_key(["a", "b"]) == machine_key(["a", "b"])
    assert machine_key(["a", "b"]) != machine_key(["a", "c"])
