"""Extractive answers, the yes/no verdict and the decline."""

from __future__ import annotations

import msgspec
import pytest

from localchat.answer.compose import (
    DECLINE_ANSWER,
    MAX_SENTENCES,
    MAX_WORDS,
    answer_items,
    denies,
    extractive_answer,
    is_yes_no,
    quote_sentence,
    verdict,
)
from localchat.answer.evidence import Evidence, EvidenceItem, select_evidence
from localchat.answer.words import content_stems
from tests.localchat.answer.helpers import library, vectors


def item(text: str, score: float, source: int = 1) -> EvidenceItem:
    return EvidenceItem(source, 1, 1, "a.pdf", 1, 0, 0, len(text), text, score, score, 0.0)


def test_an_extractive_answer_quotes_the_best_sentence_with_its_marker():
    evidence = select_evidence("What are wing-type nuts made of?", library(), vectors())
    answer = extractive_answer(evidence, "What are wing-type nuts made of?")
    assert answer.startswith("Wing-type nuts are made of anodized aluminum alloy")
    assert "[2]." in answer


def test_answers_stay_short():
    many = Evidence(
        [item(f"Sentence number {n} says a lot of words here.", 1.0) for n in range(9)], 9
    )
    chosen = answer_items(many)
    assert len(chosen) == MAX_SENTENCES
    assert sum(len(i.text.split()) for i in chosen) <= MAX_WORDS


def test_runners_up_far_below_the_best_are_left_out():
    evidence = Evidence([item("The best answer sentence.", 1.2), item("Another topic.", 0.5)], 2)
    assert [i.text for i in answer_items(evidence)] == ["The best answer sentence."]


def test_bracketed_numbers_in_a_quote_cannot_pose_as_citations():
    assert (
        quote_sentence(item("See reference [12] for this", 1.0))
        == "See reference (12) for this [1]."
    )


def test_no_evidence_declines_plainly():
    assert extractive_answer(Evidence([], 0), "anything?") == DECLINE_ANSWER


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Does smoking cause cancer?", True),
        ("Is GOGO converted to GENERIC?", True),
        ("Landolt C and snellen e acuity: differences in amblyopia?", True),
        ("What does gccgo produce?", False),
        ("How long does FastChat wait?", False),
        ("Tell me about nuts.", False),
    ],
)
def test_yes_no_questions_are_recognised(question, expected):
    assert is_yes_no(question) is expected


def test_the_verdict_comes_first_and_follows_the_evidence():
    yes = Evidence([item("Statins lower the risk of stroke in adults.", 1.0)], 1)
    no = Evidence([item("Statins did not lower the risk of stroke.", 1.0)], 1)
    assert extractive_answer(yes, "Do statins lower stroke risk?").startswith("Yes. Statins")
    assert extractive_answer(no, "Do statins lower stroke risk?").startswith("No. Statins")


def test_hedged_split_evidence_is_mixed():
    items = [
        item("The effect may be real but remains unclear.", 1.0),
        item("No significant effect was seen and results are inconclusive.", 0.99),
        item("The benefit might be limited evidence of a trend.", 0.98),
    ]
    assert verdict(items) == "maybe"


def test_a_negation_counts_only_when_it_denies_what_is_asked():
    question = "Does Go support generics?"
    other = item("Go does not have these concepts, which makes generic types in Go simpler.", 1.0)
    asked = "Go does not support generic methods on types.", 1.0
    assert not denies(other.text, content_stems(question))
    assert denies(asked[0], content_stems(question))
    assert verdict([other], question) == "yes"
    assert verdict([item(*asked)], question) == "no"
    # Without the question, any negation still counts (the rule before scoping).
    assert verdict([other]) == "no"
    # A negation that follows what it denies: "mortality was unchanged".
    assert denies(
        "With statins, mortality was unchanged.", content_stems("Do statins cut mortality?")
    )


def test_the_heading_a_sentence_goes_on_from_carries_its_denial():
    question = "Does Go have exceptions?"
    under = msgspec.structs.replace(
        item("We believe that coupling exceptions to a control structure is convoluted.", 1.0),
        previous="### Why does Go not have exceptions?",
    )
    assert verdict([under], question) == "no"
    assert verdict([msgspec.structs.replace(under, previous="")], question) == "yes"
