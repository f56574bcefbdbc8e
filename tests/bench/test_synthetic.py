"""Synthetic chunks are deterministic, Zipfian, on-topic, and carry unit vectors near their seed."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from bench.seeds import _load, _save, pseudo_seeds
from bench.synthetic import generate


@pytest.fixture(scope="module")
def seeds():
    return pseudo_seeds(50, 32, vocab_size=3000)


def test_same_arguments_give_the_same_batch(seeds):
    first, again = generate(seeds, 100, 40), generate(seeds, 100, 40)
    assert first.texts == again.texts
    assert np.array_equal(first.vectors, again.vectors)
    assert generate(seeds, 140, 40).texts != first.texts  # another batch differs


def test_vectors_are_unit_and_closest_to_their_seed(seeds):
    batch = generate(seeds, 0, 400)
    assert np.allclose(np.linalg.norm(batch.vectors, axis=1), 1.0, atol=1e-5)
    own = np.einsum("ij,ij->i", batch.vectors, seeds.vectors[batch.sources])
    other = batch.vectors @ seeds.vectors.T
    # The chunk's own seed is, on average, far more similar than a typical other seed.
    assert own.mean() > other.mean() + 0.3


def test_word_frequencies_are_heavy_tailed(seeds):
    batch = generate(seeds, 0, 300)
    counts = Counter(word for text in batch.texts for word in text.split())
    ranked = [n for _, n in counts.most_common()]
    total = sum(ranked)
    assert 60 <= total / len(batch.texts) <= 260  # words per chunk around the preset's size
    assert sum(ranked[:10]) / total > 0.05  # a few words are very common …
    assert sum(1 for n in ranked if n == 1) > len(ranked) / 10  # … and many are rare


def test_seed_sets_round_trip_through_npz(tmp_path, seeds):
    path = tmp_path / "seeds.npz"
    _save(seeds, path)
    loaded = _load(path)
    assert loaded.source == "pseudo"
    assert loaded.queries == seeds.queries
    assert np.array_equal(loaded.vectors, seeds.vectors)
    assert list(loaded.vocab[:5]) == list(seeds.vocab[:5])
