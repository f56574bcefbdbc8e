"""Evidence selection: the sentences that answer the question, with exact spans."""

from __future__ import annotations

from localchat.answer.evidence import lexical_scores, select_evidence
from localchat.answer.words import content_stems
from tests.localchat.answer.helpers import CATS, library, source, vectors


def test_the_best_sentence_answers_the_question_and_carries_its_span():
    sources = library()
    evidence = select_evidence("What are wing-type nuts made of?", sources, vectors())
    best = evidence.best
    assert best is not None and best.source == 2
    assert "anodized aluminum" in best.text
    assert sources[1].text[best.start : best.end] == best.text
    assert (best.filename, best.page, best.chunk_id) == ("doc2.pdf", 1, 102)


def test_every_item_quotes_its_chunk_exactly_and_the_set_stays_small():
    sources = library()
    texts = {s.index: s.text for s in sources}
    evidence = select_evidence("How do cats hunt?", sources, vectors(), max_items=2)
    assert 1 <= len(evidence.items) <= 3  # 2 plus at most one context sentence
    for item in evidence.items:
        assert texts[item.source][item.start : item.end] == item.text


def test_a_sentence_that_leans_on_the_previous_one_brings_it_along():
    evidence = select_evidence("When do they hunt mice at dusk?", [source(1, CATS)], vectors())
    texts = [item.text for item in evidence.items]
    assert texts.index("Cats sleep for most of the day.") < texts.index(
        "They hunt at dusk and dawn when mice are about."
    )


def test_feedback_finds_the_sentence_that_continues_the_best_one():
    evidence = select_evidence(
        "What intermediate representation does the gccgo frontend produce?",
        library(),
        vectors(),
    )
    ranked = sorted(evidence.items, key=lambda item: -item.score)
    assert any("GENERIC" in item.text for item in ranked[:3])


def test_overlapping_chunks_do_not_repeat_a_sentence():
    twice = [source(1, CATS), source(2, CATS)]
    evidence = select_evidence("How do cats hunt?", twice, vectors())
    assert len({item.text for item in evidence.items}) == len(evidence.items)


def test_no_sources_no_evidence():
    evidence = select_evidence("anything?", [], vectors())
    assert evidence.items == [] and evidence.best is None


def test_lexical_scores_weight_rare_words_more():
    question = content_stems("GOGO classes")
    sentences = [content_stems(t) for t in ("GOGO here", "classes here", "classes there")]
    scores = lexical_scores(question, sentences)
    assert scores[0] > scores[1] == scores[2] > 0
    assert lexical_scores(set(), sentences) == [0.0, 0.0, 0.0]


def test_sentence_vectors_are_computed_once_per_text():
    cached = vectors()
    cached(["one sentence", "two sentence"])
    cached(["one sentence", "three"])
    assert cached.computed == 3
    assert cached([]).shape[0] == 0
