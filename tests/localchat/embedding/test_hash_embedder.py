"""HashEmbedder: the deterministic fake that unit tests use instead of a model."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from localchat.embedding.embedder import Embedder, HashEmbedder


def test_satisfies_the_protocol() -> None:
    fake = HashEmbedder()
    assert isinstance(fake, Embedder)
    assert fake.dim == 384
    assert fake.max_tokens == 256
    assert fake.model_id == "hash-embedder-384"


def test_shape_dtype_and_empty_input() -> None:
    fake = HashEmbedder(dim=64)
    assert fake.embed([]).shape == (0, 64)
    vectors = fake.embed(["one", "two words", ""])
    assert vectors.shape == (3, 64)
    assert vectors.dtype == np.float32


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=8))
def test_rows_are_unit_length_and_deterministic(texts: list[str]) -> None:
    first = HashEmbedder(dim=96).embed(texts)
    second = HashEmbedder(dim=96).embed(texts)  # a fresh instance: no per-process salt
    np.testing.assert_array_equal(first, second)
    if texts:
        np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)


def test_similar_texts_score_higher_than_unrelated() -> None:
    query, near, far = HashEmbedder().embed(
        [
            "how often should I replace the water filter",
            "replace the water filter every six months",
            "the treaty was signed in 1648",
        ]
    )
    assert query @ near > query @ far + 0.2


def test_case_does_not_matter_and_words_past_the_limit_are_ignored() -> None:
    fake = HashEmbedder(max_tokens=6)
    upper, lower = fake.embed(["Pump Filter Water", "pump filter water"])
    np.testing.assert_allclose(upper, lower)
    base = "a b c d"
    np.testing.assert_allclose(fake.embed([base])[0], fake.embed([base + " e f g"])[0])


def test_count_tokens_adds_the_two_special_tokens() -> None:
    assert HashEmbedder().count_tokens("three small words") == 5
    assert HashEmbedder().count_tokens("") == 2
