"""Semantic matching: normalised text first, embedding cosine second, thresholds respected."""

from __future__ import annotations

import numpy as np
import pytest

from localchat.cache.semantic import Candidate, best_match, normalise
from localchat.embedding.embedder import HashEmbedder

EMBEDDER = HashEmbedder()


def candidate(question: str, key: str) -> Candidate:
    vector = EMBEDDER.embed([question])[0]
    return Candidate(normalise(question), vector.tobytes(), key)


def embed(text: str) -> np.ndarray:
    return EMBEDDER.embed([text])[0]


def never_embed(text: str) -> np.ndarray:
    raise AssertionError("the text match should have decided without an embedding")


def test_normalise_ignores_case_punctuation_and_spacing():
    assert normalise("  How do I PRIME the Zephyr-pump?! ") == "how do i prime the zephyr pump"
    assert normalise("Ｆｕｌｌ　width") == "full width"


def test_a_textual_near_duplicate_matches_without_embedding():
    cands = [candidate("How do I prime the Zephyr pump?", "answer:1"), candidate("cats?", "x")]
    match = best_match(
        "how do i prime the zephyr pump",
        cands,
        never_embed,
        fuzzy_threshold=95,
        cosine_threshold=0.97,
    )
    assert match is not None and match.answer_key == "answer:1" and match.fuzzy == 100


def test_an_embedding_near_duplicate_matches_when_text_differs_more():
    cands = [candidate("How do I prime the Zephyr pump?", "answer:1")]
    question = "Zephyr pump: how do I prime it?"
    cosine = float(embed(question) @ embed("How do I prime the Zephyr pump?"))
    match = best_match(question, cands, embed, fuzzy_threshold=95, cosine_threshold=cosine - 0.01)
    assert match is not None and match.cosine == pytest.approx(cosine, abs=1e-5)
    assert (
        best_match(question, cands, embed, fuzzy_threshold=95, cosine_threshold=cosine + 0.01)
        is None
    )


@pytest.mark.parametrize(
    "question",
    ["How do I clean the Zephyr pump filter?", "Is the Zephyr pump unsafe?", "What is a cat?"],
)
def test_different_questions_do_not_match_at_the_default_thresholds(question):
    cands = [candidate("How do I prime the Zephyr pump?", "answer:1")]
    assert best_match(question, cands, embed, fuzzy_threshold=95, cosine_threshold=0.97) is None


def test_cosine_threshold_above_one_means_text_only():
    cands = [candidate("How do I prime the Zephyr pump?", "answer:1")]
    assert best_match("Priming the Zephyr pump?", cands, never_embed, fuzzy_threshold=95,
                      cosine_threshold=1.01) is None  # fmt: skip


def test_vectors_of_another_dimension_are_never_compared():
    other = Candidate("how do i prime the pump", np.ones(8, dtype=np.float32).tobytes(), "a")
    assert best_match("prime pump", [other], embed, fuzzy_threshold=95, cosine_threshold=-1) is None


def test_no_candidates_no_match():
    assert best_match("q", [], never_embed, fuzzy_threshold=0, cosine_threshold=0) is None


@pytest.mark.parametrize(
    ("cached", "asked"),
    [
        ("What is in section 3?", "What is in section 4?"),
        ("Is the pump safe to use?", "Isn't the pump safe to use?"),
        ("Can I run the pump dry?", "Can I not run the pump dry?"),
    ],
)
def test_a_different_number_or_negation_is_never_a_near_duplicate(cached, asked):
    cands = [candidate(cached, "answer:1")]
    assert best_match(asked, cands, embed, fuzzy_threshold=80, cosine_threshold=0.5) is None
    assert best_match(cached.upper(), cands, embed, fuzzy_threshold=95, cosine_threshold=0.97)
