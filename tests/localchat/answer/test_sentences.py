"""Sentence splitting: every sentence's offsets point at exactly its text in the passage."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from localchat.answer.sentences import MAX_SENTENCE_CHARS, is_heading, split_sentences

words = st.sampled_from(["GOGO", "is", "converted", "to", "GENERIC", "e.g.", "Fig.", "3", "a"])
pieces = st.lists(
    st.one_of(
        words, st.sampled_from([". ", "! ", "? ", "\n", "\n\n", " - ", "• ", "  ", "\n## ", "#"])
    ),
    max_size=80,
)


@given(pieces.map(" ".join))
def test_offsets_always_point_at_the_quoted_text(passage):
    for sentence in split_sentences(passage):
        assert passage[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        assert len(sentence.text) <= MAX_SENTENCE_CHARS


@given(st.text(max_size=600))
def test_any_text_splits_into_ordered_exact_spans(passage):
    sentences = split_sentences(passage)
    for sentence in sentences:
        assert passage[sentence.start : sentence.end] == sentence.text
    assert [s.start for s in sentences] == sorted(s.start for s in sentences)
    assert all(a.end <= b.start for a, b in itertools.pairwise(sentences))


def test_sentences_end_at_stops_blank_lines_and_list_items():
    passage = (
        "The intermediate representation, known as GOGO, is a collection of classes. "
        "This version of GOGO is eventually converted to GENERIC.\n\n"
        "## Next section heading here\n- a list item that is long enough"
    )
    texts = [s.text for s in split_sentences(passage)]
    assert texts == [
        "The intermediate representation, known as GOGO, is a collection of classes.",
        "This version of GOGO is eventually converted to GENERIC.",
        "## Next section heading here",
        "- a list item that is long enough",
    ]


def test_a_lead_ending_in_a_colon_and_its_list_lines_are_one_sentence():
    passage = (
        "Intro text here.\nThe following OpenAI APIs are supported:\n"
        "- Chat Completions. (Reference: https://example.org/chat)\n"
        "- Completions.\n- Embeddings.\n\nThe REST API can be used from Colab."
    )
    sentences = split_sentences(passage)
    listed = sentences[1]
    assert listed.text.startswith("The following OpenAI APIs are supported:\n- Chat")
    assert listed.text.endswith("- Embeddings.")
    assert passage[listed.start : listed.end] == listed.text
    assert sentences[2].text == "The REST API can be used from Colab."
    # A single item, or a lead with no list under it, stays as it was.
    one = split_sentences("Supported are these:\n- Chat Completions only, for now.")
    assert [s.text for s in one] == ["Supported are these:", "- Chat Completions only, for now."]


def test_abbreviations_and_inner_newlines_do_not_end_a_sentence():
    passage = "Use a tool, e.g. Nginx, for\nthis wrapped line. Then another one."
    texts = [s.text for s in split_sentences(passage)]
    assert texts == ["Use a tool, e.g. Nginx, for\nthis wrapped line.", "Then another one."]
    federal = (
        "The FAA proposes an AD for Pilatus Aircraft Ltd. Model PC-12/47E airplanes. "
        "Write to the U.S. Department of Transportation, approx. 3 km away."
    )
    assert [s.text for s in split_sentences(federal)] == [
        "The FAA proposes an AD for Pilatus Aircraft Ltd. Model PC-12/47E airplanes.",
        "Write to the U.S. Department of Transportation, approx. 3 km away.",
    ]


def test_a_long_run_without_stops_is_cut_at_spaces():
    passage = " ".join(["word"] * 300)
    sentences = split_sentences(passage)
    assert len(sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS and not s.text.endswith(" ") for s in sentences)


def test_fenced_code_is_not_prose_but_tables_and_text_are() -> None:
    from localchat.answer.sentences import is_prose

    assert not is_prose("```bash python3 -m fastchat.serve.model_worker ```")
    assert is_prose("Region: North | Population: 120500")
    assert is_prose("Gccgo is written in C++.")


def test_a_heading_line_is_its_own_piece_and_is_a_heading():
    passage = (
        "### Timeout errors\nBy default, a timeout error occurs after 100 seconds.\n"
        "## Next part\nMore."
    )
    texts = [s.text for s in split_sentences(passage)]
    assert texts[:3] == [
        "### Timeout errors",
        "By default, a timeout error occurs after 100 seconds.",
        "## Next part",
    ]
    assert is_heading("### Timeout errors") and is_heading("Boots Self-Locking Nut")
    assert is_heading("Self-locking nuts.")  # too few words to answer anything
    assert not is_heading("By default, a timeout error occurs after 100 seconds.")
    assert not is_heading("Gccgo is written in C++.")


def test_a_markdown_table_header_and_rule_are_not_part_of_its_first_row():
    passage = (
        "Field Pattern | Type | Description\n"
        "---|:---:|---\n"
        "[HTTP Status Code](#codes) | Response | Any HTTP status code can be used. "
        "To define a range, use the wildcard X.\n"
        "| default | Response | The rest. |\n"
    )
    sentences = split_sentences(passage)
    texts = [s.text for s in sentences]
    assert texts[0] == "Field Pattern | Type | Description"
    assert texts[1].startswith("[HTTP Status Code](#codes) | Response | Any")
    assert "| default | Response | The rest. |" in texts
    assert not any("---" in t for t in texts)
    assert all(passage[s.start : s.end] == s.text for s in sentences)
