"""Checked generative answers: what streams is the final answer, unsupported text is dropped."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from localchat.answer.compose import extractive_answer
from localchat.answer.evidence import select_evidence
from localchat.answer.generative import VerifiedStream, evidence_messages, quoted_items
from tests.localchat.answer.helpers import library, source, vectors

QUESTION = "What intermediate representation does the gccgo frontend produce?"
SUPPORTED = "The intermediate representation is known as GOGO [1]."
UNMARKED = "GOGO is eventually converted to GENERIC."
INVENTED = "The frontend was written by a team of forty Rust programmers in Paris."
CACHED = vectors()
SOURCES = library()
EVIDENCE = select_evidence(QUESTION, SOURCES, CACHED)


def run(pieces: list[str], question: str = QUESTION) -> tuple[str, VerifiedStream]:
    checked = VerifiedStream(question, EVIDENCE, SOURCES, CACHED)
    streamed = "".join(checked.feed(piece) for piece in pieces)
    streamed += checked.finish(extractive_answer(EVIDENCE, question))
    return streamed, checked


def cut(text: str, points: list[int]) -> list[str]:
    marks = sorted({p % (len(text) + 1) for p in points} | {0, len(text)})
    return [text[a:b] for a, b in itertools.pairwise(marks)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([SUPPORTED, UNMARKED, INVENTED, "Yes.", "<source id=2>"]), max_size=5),
    st.lists(st.integers(0, 10_000), max_size=12),
)
def test_a_streamed_answer_equals_the_final_answer(sentences, points):
    text = " ".join(sentences)
    streamed, checked = run(cut(text, points))
    assert streamed == checked.text
    assert streamed  # never empty: at worst the extractive fallback
    assert "<source" not in streamed


def test_unsupported_sentences_are_dropped_and_supported_ones_get_a_marker():
    streamed, checked = run([f"{SUPPORTED} {INVENTED} {UNMARKED}"])
    assert streamed == f"{SUPPORTED} GOGO is eventually converted to GENERIC [1]."
    assert (checked.kept, checked.dropped) == (2, 1)


def test_nothing_supported_falls_back_to_the_extractive_answer():
    streamed, checked = run([INVENTED])
    assert streamed == extractive_answer(EVIDENCE, QUESTION)
    assert checked.dropped == 1


def test_a_sentence_cut_by_the_token_limit_is_not_shown_half_said():
    checked = VerifiedStream(QUESTION, EVIDENCE, SOURCES, CACHED)
    streamed = checked.feed(f"{SUPPORTED} GOGO is eventually converted to GEN")
    streamed += checked.finish(extractive_answer(EVIDENCE, QUESTION), cut=True)
    assert streamed == checked.text == SUPPORTED
    # A last sentence that did end is kept at the limit too, and without the limit a last
    # sentence missing its stop is still checked and shown.
    for raw, cut_off in (
        (f"{SUPPORTED} {UNMARKED}", True),
        (f"{SUPPORTED} {UNMARKED[:-1]}", False),
    ):
        checked = VerifiedStream(QUESTION, EVIDENCE, SOURCES, CACHED)
        streamed = checked.feed(raw) + checked.finish("fallback", cut=cut_off)
        assert "GENERIC" in streamed and checked.kept == 2


def test_a_yes_no_answer_starts_with_a_verdict():
    question = "Is GOGO converted to GENERIC?"
    streamed, _ = run([UNMARKED], question)
    assert streamed.split(" ")[0] in ("Yes.", "No.")


def test_the_prompt_holds_only_evidence_sentences():
    messages = evidence_messages("rules", QUESTION, EVIDENCE, SOURCES)
    user = messages[-1].content
    assert user.startswith("Evidence:\n[1] (doc1.pdf, page 1)")
    assert "Cats sleep" not in user or any("Cats" in i.text for i in EVIDENCE.items)
    assert user.rstrip().endswith(QUESTION)
    assert len(user) < 2500


def test_each_source_quotes_its_best_sentence():
    quotes = quoted_items(EVIDENCE)
    for index, item in quotes.items():
        assert SOURCES[index - 1].text[item.start : item.end] == item.text


def test_a_copied_evidence_line_head_becomes_a_marker():
    copied = "[1] (gofrontend.pdf, page 1) The intermediate representation is known as GOGO."
    streamed, _ = run([copied])
    assert streamed == SUPPORTED


def test_a_lead_in_is_dropped_and_the_claim_kept():
    for lead in ("The answer is: ", "Answer: ", "Based on the evidence, "):
        streamed, checked = run([lead + SUPPORTED[0].lower() + SUPPORTED[1:]])
        assert streamed == SUPPORTED, lead
        assert checked.kept == 1


def test_fragments_a_small_model_writes_are_dropped():
    # Seen from SmolLM2-135M on docs-qa: a list number with a marker, a lead-in whose list
    # never came, and an unclosed parenthesis. Each says nothing; the claim after them stays.
    # Source 4 holds every word of them, so only the fragment rules can drop them.
    sources = [*SOURCES, source(4, "Here are some examples: 1. the gccgo frontend (GOGO).")]
    evidence = select_evidence(QUESTION, sources, CACHED)
    for junk in ("1 [4].", "Here are some examples: [4] 1 [4].", "(gccgo frontend GOGO [4]."):
        checked = VerifiedStream(QUESTION, evidence, sources, CACHED)
        streamed = checked.feed(f"{junk} {SUPPORTED}") + checked.finish("fallback")
        assert streamed == SUPPORTED, junk
        assert (checked.kept, checked.dropped) == (1, 1), junk
