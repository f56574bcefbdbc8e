"""MarkdownFeed: what a stream split anywhere turns into is what the whole text turns into."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from tui.highlight import link_markers
from tui.sanitize import clean
from tui.streaming import MarkdownFeed

TEXT = "Nuts hold [1]. \x1b[31mRed\x1b[0m text [2] and \x1b]0;title\x07 more [12]. End [3"


def run(pieces: list[str], valid: set[int]) -> str:
    feed, out = MarkdownFeed(), []
    for piece in pieces:
        feed.feed(piece)
        out.append(feed.take(valid))
    out.append(feed.take(valid, final=True))
    return "".join(out)


def cut(text: str, points: list[int]) -> list[str]:
    edges = sorted({0, len(text), *(p % (len(text) + 1) for p in points)})
    return [text[a:b] for a, b in itertools.pairwise(edges)]


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=20))
def test_any_split_gives_the_same_markdown_as_the_whole(points):
    valid = {1, 2, 12}
    assert run(cut(TEXT, points), valid) == link_markers(clean(TEXT), valid)


@given(st.text(max_size=200), st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_shown_text_never_holds_escapes_or_controls(text, points):
    shown = run(cut(text, points), {1})
    assert "\x1b" not in shown
    assert not any(ord(c) < 32 and c not in "\n\t" for c in shown)


def test_a_half_marker_waits_for_its_end():
    feed = MarkdownFeed()
    feed.feed("See [")
    assert feed.take({1}) == "See "
    feed.feed("1] here")
    assert feed.take({1}) == "[\\[1\\]](source:1) here"
