"""Answer-kind cues and continuation: the sentence that answers is found even when it shares
nothing with the question, and headings and chunk-edge fragments are never quoted."""

from __future__ import annotations

import pytest

from localchat.answer.compose import answer_items, extractive_answer
from localchat.answer.coverage import decide
from localchat.answer.cues import (
    asked_kind,
    continues,
    defines,
    echoes,
    focus_head,
    is_kind,
    is_yes_no,
)
from localchat.answer.evidence import select_evidence
from localchat.answer.words import content_stems
from tests.localchat.answer.helpers import source, vectors

PAPER = (
    "A goal of the gccgo project is to be a typical gcc frontend. "
    "Gccgo is written in C++. "
    "As of this writing it is slightly more than 50,000 lines, including blank lines and "
    "comments. The frontend has a lexer, a parser and a type checker."
)
FAQ = (
    "### Why does Go not have the ?: operator?\n"
    "There is no ternary testing operation in Go. "
    "The reason ?: is absent is that it was used too often to create complex expressions."
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How large was the gccgo code base?", "figure"),
        ("Since which release has gc been written in Go?", "figure"),
        ("On what date did they sketch the goals?", "figure"),
        ("What reference numbers does gccgo use?", "figure"),
        ("Why doesn't Go have a ternary operator?", "cause"),
        ("What intermediate representation does gccgo use?", None),
        ("When exactly does init run?", None),
        ("Which OpenAI APIs can I use with the FastChat server?", "list"),
        ("What options does the server take?", "list"),
        ("Which regulation does the wiring fail to meet?", None),  # "does" is the verb
        ("What analysis is done?", None),
        ("What are the two general types of nuts?", None),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question, kind):
    assert asked_kind(question) == kind


def test_a_figure_counts_only_when_it_is_new_and_not_in_a_link():
    assert is_kind("figure", "How large?", "It is 50,000 lines.")
    assert not is_kind("figure", "How many of the 7 nuts?", "Of the 7 nuts, all are metal.")
    assert not is_kind("figure", "On what date?", "See [the article](/talks/2012/splash.article).")
    assert is_kind("cause", "Why?", "The reason is speed.")
    assert not is_kind(None, "What?", "It is 50,000 lines.")


def test_continuation_cues():
    assert continues(
        "Gccgo is written in C++.",
        "As of this writing it is 50,000 lines.",
        previous_is_heading=False,
    )
    assert continues(
        "The following APIs are supported:", "- Chat Completions.", previous_is_heading=False
    )
    assert continues("### Timeout", "By default a timeout occurs.", previous_is_heading=True)
    assert not continues(
        "Gccgo is written in C++.", "The frontend has a lexer.", previous_is_heading=False
    )


def test_the_sentence_after_a_good_one_answers_with_it_in_reading_order():
    question = "How large was the gccgo frontend code base when the paper was written?"
    evidence = select_evidence(question, [source(1, PAPER)], vectors())
    follower = next(i for i in evidence.items if "50,000" in i.text)
    assert follower.follows and follower.previous == "Gccgo is written in C++."
    assert follower.kind_bonus > 0 and follower.support < follower.score
    answer = extractive_answer(evidence, question)
    assert "50,000 lines" in answer
    texts = [i.text for i in answer_items(evidence)]
    lead = texts.index("Gccgo is written in C++.")
    assert texts[lead + 1].startswith("As of this writing")


def test_a_heading_is_never_quoted_but_leads_to_the_text_under_it():
    question = "Why does Go not have the ?: operator?"
    evidence = select_evidence(question, [source(1, FAQ)], vectors())
    assert any(i.heading for i in evidence.items)
    heading = next(i for i in evidence.items if i.heading)
    under = next(i for i in evidence.items if i.text.startswith("There is no ternary"))
    assert under.previous == heading.text  # it goes on from the heading, and scores with it
    assert under.score >= heading.score - 0.1 - 1e-9
    items = answer_items(evidence)
    assert under in items and not any(i.heading for i in items)


def test_a_chunk_that_starts_inside_a_sentence_is_not_quoted_from_its_tail():
    whole = "A longer description of the goals of Go is available in the article."
    tail = "of the goals of Go is available in the article. Pike sketched goals in 2007."
    evidence = select_evidence(
        "What are the goals of Go?", [source(1, whole), source(2, tail)], vectors(), max_items=20
    )
    texts = [i.text for i in evidence.items]
    assert whole in texts
    assert not any(t.startswith("of the goals") for t in texts)


def test_the_rest_of_a_sentence_a_code_block_cut_is_not_quoted():
    passage = (
        "Go separates expression and type syntax for pointers. In C, the declaration\n\n"
        "```\n    int* a, b;\n```\n\n"
        "declares `a` to be a pointer but not `b`; in Go\n\n"
        "```\n    var a, b *int\n```\n\n"
        "declares both to be pointers."
    )
    evidence = select_evidence(
        "How are pointers declared in Go?", [source(1, passage)], vectors(), max_items=20
    )
    texts = [i.text for i in evidence.items]
    assert "Go separates expression and type syntax for pointers." in texts
    assert not any(t.startswith("declares") for t in texts)


def test_declining_ignores_the_answer_kind_bonus():
    question = "How many GPUs does the frontend need?"
    evidence = select_evidence(question, [source(1, PAPER)], vectors())
    assert any(i.kind_bonus > 0 for i in evidence.items)  # "50,000" is a figure
    support = max(i.support for i in evidence.items)

    def counts(words):  # every word known, none in the passage: support alone decides
        return dict.fromkeys(words, 1), 100

    def covered(score: float) -> bool:
        return decide(question, evidence, [], counts, score=score, min_coverage=1.1).covered

    assert covered(support) and not covered(support + 1e-6)


def test_a_list_question_prefers_the_lead_with_its_list():
    from localchat.answer.cues import is_kind

    listed = "The following APIs are supported:\n- Chat Completions.\n- Embeddings."
    assert is_kind("list", "Which APIs?", listed)
    assert not is_kind("list", "Which APIs?", "FastChat provides OpenAI-compatible APIs.")


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("What unsafe condition does the proposed AD address?", "condition"),
        ("Which OpenAI APIs can I use with the FastChat server?", "apis"),
        ("What problem with the Pilatus PC-12/47E does the AD address?", "problem"),
        ("What kind of garbage collector did gccgo have?", "collector"),
        ("What is the FAA's estimated cost?", None),
        ("How does gccgo avoid symbol clashes?", None),
    ],
)
def test_the_head_noun_a_what_question_asks_for(question, head):
    assert focus_head(question) == head


def test_a_sentence_that_says_what_the_asked_thing_is():
    sentences = [
        "The MCAI describes the unsafe condition as seizing of a main landing gear spring pack.",
        "The FAA is proposing this AD to address the unsafe condition on these products.",
        "The conditions are a worn seal and a dry bearing.",
    ]
    assert defines("condition", sentences) == [True, False, True]
    assert defines(None, sentences) == [False] * 3


def test_a_sentence_that_only_restates_a_wh_question_echoes_it():
    question = "What unsafe condition does the proposed AD address?"
    texts = [
        "The FAA is proposing this AD to address the unsafe condition on these products.",
        "The MCAI describes the unsafe condition as seizing of a main landing gear spring pack.",
    ]
    stems = [content_stems(t) for t in texts]
    assert echoes(question, content_stems(question), stems) == [True, False]
    # A yes/no question's answer may restate it: nothing echoes there.
    yes_no = "Is GOGO converted to GENERIC?"
    assert is_yes_no(yes_no)
    assert echoes(
        yes_no, content_stems(yes_no), [content_stems("GOGO is converted to GENERIC.")]
    ) == [False]


def test_a_restating_sentence_loses_and_a_defining_one_gains():
    from localchat.answer.cues import ECHO_PENALTY, FOCUS_BONUS

    passage = (
        "The FAA is proposing this AD to address the unsafe condition on these products. "
        "The MCAI describes the unsafe condition as seizing of a main landing gear spring pack."
    )
    question = "What unsafe condition does the proposed AD address?"
    evidence = select_evidence(question, [source(1, passage)], vectors())
    by_text = {item.text[:20]: item for item in evidence.items}
    restating, defining = by_text["The FAA is proposing"], by_text["The MCAI describes t"]
    assert restating.kind_bonus == -ECHO_PENALTY
    assert defining.kind_bonus == FOCUS_BONUS
    # Neither cue counts as support: declining sees the sentence as the question matched it.
    assert restating.support == pytest.approx(restating.score + ECHO_PENALTY)
