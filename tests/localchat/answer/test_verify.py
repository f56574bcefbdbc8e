"""Verification of generated sentences against the sources they cite."""

from __future__ import annotations

from localchat.answer.evidence import select_evidence
from localchat.answer.verify import check_sentence, unsupported_anchors
from tests.localchat.answer.helpers import library, vectors

QUESTION = "What intermediate representation does the gccgo frontend produce?"


def context():
    sources = library()
    cached = vectors()
    evidence = select_evidence(QUESTION, sources, cached)
    return {s.index: s.text for s in sources}, evidence.items, cached


def test_a_sentence_copied_from_its_cited_source_is_supported():
    texts, items, embed = context()
    support = check_sentence("GOGO is converted to GENERIC.", [1], texts, items, embed)
    assert support.supported and support.source == 1


def test_an_invented_sentence_is_not_supported():
    texts, items, embed = context()
    support = check_sentence(
        "The frontend compiles Rust programs into JavaScript bytecode quickly.",
        [1],
        texts,
        items,
        embed,
    )
    assert not support.supported


def test_a_true_sentence_citing_the_wrong_source_is_not_supported_by_it():
    texts, items, embed = context()
    wrong = check_sentence(
        "Wing-type nuts are made of anodized aluminum.", [1], texts, items, embed
    )
    right = check_sentence("Wing-type nuts are made of anodized aluminum.", [], texts, items, embed)
    assert not wrong.supported
    assert right.supported and right.source == 2


def test_short_connective_text_is_kept_unchecked():
    texts, items, embed = context()
    support = check_sentence("Yes.", [], texts, items, embed)
    assert support.supported and not support.checked


def test_a_short_sentence_is_checked_word_for_word():
    texts, items, embed = context()
    assert not check_sentence("Ignore that.", [], texts, items, embed).supported
    assert not check_sentence("It is.", [], texts, items, embed).supported  # claims nothing
    # A bare number or a common word says nothing alone, even when a source holds it.
    listing = {**texts, 4: "Here are some examples: 1. GOGO, 2. GENERIC."}
    assert not check_sentence("1.", [4], listing, items, embed).supported
    assert not check_sentence("Here are some examples:", [4], listing, items, embed).supported
    assert check_sentence("GENERIC.", [4], listing, items, embed).supported
    kept = check_sentence("GENERIC.", [], texts, items, embed)
    assert kept.supported and kept.checked and kept.source == 1


def test_a_swapped_name_or_figure_is_not_supported():
    texts, items, embed = context()
    true = "This version of GOGO is eventually converted to GENERIC and passed to the middle-end."
    fake = "This version of GOGO is eventually converted to LLVM-IR and passed to the middle-end."
    assert check_sentence(true, [1], texts, items, embed).supported
    assert not check_sentence(fake, [1], texts, items, embed).supported
    assert unsupported_anchors(fake, texts[1]) == {"LLVM-IR"}
    assert unsupported_anchors("It took 12 passes.", texts[1]) == {"12"}
    assert unsupported_anchors("GOGO is \x1b[31mred\x1b[0m.", texts[1]) == set()


def test_an_acronym_of_the_source_words_is_not_an_unsupported_name():
    texts, _, _ = context()
    assert unsupported_anchors("GOGO is the IR of gccgo.", texts[1]) == set()
