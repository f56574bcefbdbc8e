"""Attribution: sentences taken from a source get its marker when the model wrote none."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from localchat.chat.attribution import Attributor, content_words
from localchat.chat.citations import StreamingCitationFilter
from localchat.chat.types import Source

PUMP = "The reactor is cooled by the QX-17 pump, which circulates heavy water at 40 bar."
VALVE = "Pressure relief is handled by two spring valves rated for 55 bar on the primary loop."


def _source(index: int, text: str) -> Source:
    return Source(index, 100 + index, index, f"doc{index}.md", 1, 0, 1.0 / index, text, text[:20])


SOURCES = [_source(1, PUMP), _source(2, VALVE)]


def _stream(answer: str, pieces: list[int] | None = None, sources=SOURCES):
    """Feed the answer in pieces of the given sizes (3 characters each by default)."""
    flt = StreamingCitationFilter(sources)
    emitted, at = [], 0
    for size in pieces or [3] * (len(answer) // 3 + 1):
        emitted.append(flt.feed(answer[at : at + size]))
        at += size
    emitted.append(flt.feed(answer[at:]))
    rest, result = flt.finish()
    emitted.append(rest)
    return "".join(emitted), result


def test_content_words_drop_stop_words_and_case():
    assert content_words("The Pump is QX-17, the pump!") == {"pump", "qx", "17"}


def test_a_copied_sentence_gets_its_source_marker_before_the_period():
    answer = "Two spring valves rated for 55 bar handle pressure relief. Ask me more!"
    text, result = _stream(answer)
    assert text == result.text
    assert text == "Two spring valves rated for 55 bar handle pressure relief [2]. Ask me more!"
    (note,) = result.annotations
    start, end = note.url_citation.start_index, note.url_citation.end_index
    assert text[start:end] == "[2]" and result.cited == [2]


def test_the_last_sentence_is_attributed_at_the_end_of_the_answer():
    text, result = _stream("The QX-17 pump circulates heavy water at 40 bar")
    assert text == result.text == "The QX-17 pump circulates heavy water at 40 bar [1]"


def test_answers_where_the_model_cites_are_left_as_written():
    for answer in (
        "The QX-17 pump circulates heavy water [1]. Spring valves rated 55 bar relieve pressure.",
        "The QX-17 pump circulates heavy water at 40 bar. [1] Spring valves rated 55 bar help.",
    ):
        text, result = _stream(answer)
        assert text == result.text == answer
        assert result.cited == [1]


def test_vague_or_short_sentences_stay_uncited():
    answer = "I think so. The documents discuss several engineering topics in general terms."
    text, result = _stream(answer)
    assert text == answer and result.annotations == []


def test_ties_go_to_the_more_relevant_source():
    same = "Heavy water circulates through the primary loop at high pressure daily."
    attributor = Attributor([_source(1, same), _source(2, same)])
    assert attributor.source_of(same) == 1


def test_attribution_can_be_switched_off():
    flt = StreamingCitationFilter(SOURCES, attribute=False)
    answer = "Two spring valves rated for 55 bar handle pressure relief."
    out = flt.feed(answer)
    rest, result = flt.finish()
    assert out + rest == result.text == answer


@settings(max_examples=200, deadline=None)
@given(
    sentences=st.lists(
        st.sampled_from(
            [
                "Two spring valves rated for 55 bar handle pressure relief.",
                "The QX-17 pump circulates heavy water at 40 bar!",
                "Nobody knows?",
                "See [2] and [7].",
                "Heavy water [1] is used.",
                "",
            ]
        ),
        max_size=5,
    ),
    separator=st.sampled_from([" ", "\n", "\n\n", "  "]),
    cuts=st.lists(st.integers(min_value=1, max_value=9), max_size=40),
)
def test_streamed_text_always_equals_the_final_answer(sentences, separator, cuts):
    answer = separator.join(sentences)
    text, result = _stream(answer, cuts)
    assert text == result.text
    for note in result.annotations:
        span = note.url_citation
        assert text[span.start_index : span.end_index] in ("[1]", "[2]")
