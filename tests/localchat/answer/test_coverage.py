"""Declining: the thing asked for never named, weak support with weak coverage, the floor."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localchat.answer.compose import decline_answer
from localchat.answer.coverage import SUPPORT_FLOOR, coverage, decide
from localchat.answer.cues import about_focus, focus_word
from localchat.answer.evidence import Evidence, EvidenceItem, select_evidence
from localchat.answer.words import content_stems
from localchat.chat.citations import MARKER
from tests.localchat.answer.helpers import GCCGO, library, source, vectors

NUTS = "The Boots self-locking nut is of one piece, all-metal construction."


def item(text: str, support: float) -> EvidenceItem:
    return EvidenceItem(1, 1, 1, "a.pdf", 1, 0, 0, len(text), text, support, support, 0.0)


def library_of(*texts: str):
    """word_counts over a tiny library of `texts` (every chunk counted once per word)."""

    def counts(words):
        held = [content_stems(text) for text in texts]
        return {w: sum(bool(content_stems(w) & h) for h in held) for w in words}, len(texts)

    return counts


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("What torque should be applied when tightening a Boots nut?", "torque"),
        ("How much GPU memory does FastChat need?", "GPU"),
        ("What kind of garbage collector did gccgo have?", "garbage"),
        ("Which airline took delivery of the first 737 MAX?", "airline"),
        ("What is the default timeout?", None),  # "is": no noun follows the question word
        ("How many people died?", "people"),
        ("Does smoking cause cancer?", None),
    ],
)
def test_the_focus_word_is_the_noun_the_question_asks_for(question, focus):
    assert focus_word(question) == focus


def test_a_question_about_something_the_library_never_names_is_declined_by_name():
    question = "What torque should be applied when tightening a Boots self-locking nut?"
    evidence = Evidence([item(NUTS, 1.2)], 1)  # an excellent match on everything else
    decision = decide(question, evidence, [NUTS], library_of(NUTS, "Wing nuts are light."))
    assert not decision.covered and decision.reason == "unnamed"
    assert decision.missing == "torque"
    text = decline_answer(decision.missing)
    assert "never mention \u201ctorque\u201d" in text and not MARKER.search(text)


def test_weak_support_declines_only_when_the_passages_miss_the_question_too():
    counts = library_of(NUTS, "Airlines fly planes.", "Deliveries came first.")
    weak = Evidence([item(NUTS, 0.7)], 1)
    # "Boots self-locking nut": all in the passage, so a weak best sentence is still answered.
    held = decide("Is the Boots self-locking nut all-metal?", weak, [NUTS], counts)
    assert held.covered and held.coverage == 1.0
    # The rarer words ("airline", "delivery", "first") are nowhere in the passage.
    missed = decide("Which airline took delivery of the first Boots nut?", weak, [NUTS], counts)
    assert not missed.covered and missed.reason == "coverage" and missed.coverage < 0.67
    strong = Evidence([item(NUTS, 1.0)], 1)
    assert decide("Which airline took delivery of the first Boots nut?", strong, [NUTS], counts)


def test_below_the_floor_nothing_is_answered():
    counts = library_of(NUTS)
    low = Evidence([item(NUTS, SUPPORT_FLOOR - 0.01)], 1)
    assert decide("Is the Boots nut all-metal?", low, [NUTS], counts).reason == "support"
    assert decide("Is the Boots nut all-metal?", Evidence([], 0), [NUTS], counts).reason


def test_a_decline_score_of_zero_turns_declining_off():
    question = "What torque does the Boots nut take?"
    evidence = Evidence([], 0)
    assert decide(question, evidence, [], library_of(NUTS), score=0.0).covered


@given(st.lists(st.sampled_from(["nut", "boots", "torque", "wing", "metal"]), min_size=1))
def test_coverage_is_a_share(words):
    question = " ".join(words) + "?"
    share = coverage(question, [NUTS], {"nut": 3, "boots": 1, "torque": 0}, 10)
    assert 0.0 <= share <= 1.0


def test_a_rare_word_missing_costs_more_coverage_than_a_common_one():
    passage = "The nut is made of metal."
    rare_missing = coverage(
        "nut metal torque", [passage], {"nut": 50, "metal": 50, "torque": 1}, 100
    )
    common_missing = coverage(
        "nut torque widget", ["torque nut"], {"nut": 50, "torque": 1, "widget": 50}, 100
    )
    assert rare_missing < common_missing


def test_sentences_on_a_name_given_to_the_focus_are_about_it():
    sentences = [
        "The gccgo frontend is arranged as a series of passes.",
        "The intermediate representation, known as GOGO, is a collection of C++ classes.",
        "This version of GOGO is eventually converted to GENERIC.",
    ]
    stems = [content_stems(s) for s in sentences]
    question = "What intermediate representation does the gccgo frontend produce?"
    assert about_focus(focus_word(question), sentences, stems) == [False, True, True]
    # The focus word alone is no sign ("comply with FAA regulations" is not the regulation).
    plain = ["Changes must comply with FAA regulations.", "It does not meet 14 CFR 25.1707."]
    assert about_focus("regulation", plain, [content_stems(s) for s in plain]) == [False, False]


def test_what_the_named_focus_becomes_is_in_the_extractive_answer():
    from localchat.answer.compose import extractive_answer

    question = "What intermediate representation does the gccgo frontend produce?"
    sources = [source(1, GCCGO), *library()[1:]]
    answer = extractive_answer(select_evidence(question, sources, vectors()), question)
    assert "GOGO" in answer and "GENERIC" in answer
