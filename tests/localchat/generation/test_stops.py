"""Stop strings across arbitrary stream splits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from localchat.generation.stops import StopMatcher


def run(pieces: list[str], stops: list[str]) -> tuple[str, bool]:
    matcher = StopMatcher(stops)
    out = "".join(matcher.feed(piece) for piece in pieces)
    return out + matcher.flush(), matcher.stopped


def expected(text: str, stops: list[str]) -> tuple[str, bool]:
    hits = [text.find(s) for s in stops if s and s in text]
    return (text[: min(hits)], True) if hits else (text, False)


@given(
    pieces=st.lists(st.text(alphabet="ab<>/ \n", max_size=6), max_size=12),
    stops=st.lists(st.text(alphabet="ab<>/", min_size=1, max_size=4), max_size=3),
)
def test_output_is_the_text_up_to_the_first_stop(pieces: list[str], stops: list[str]) -> None:
    assert run(pieces, stops) == expected("".join(pieces), stops)


def test_a_partial_stop_is_held_back_then_released() -> None:
    matcher = StopMatcher(["</s>"])
    assert matcher.feed("Hello </") == "Hello "
    assert matcher.feed("b>") == "</b>"
    assert matcher.feed(" end</s> more") == " end"
    assert matcher.stopped
    assert matcher.feed("ignored") == ""
    assert matcher.flush() == ""


def test_no_stops_passes_everything_through() -> None:
    matcher = StopMatcher([])
    assert matcher.feed("abc") == "abc"
    assert matcher.flush() == ""
