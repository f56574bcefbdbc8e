"""Invented markup leaves answers; markup the sources hold stays; streaming changes nothing."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from localchat.chat.markup import MarkupFilter, without_markup
from localchat.generation.base import Delta, Usage


def whole(text: str, sources=()) -> str:
    markup = MarkupFilter(sources)
    return markup.feed(text) + markup.finish()


def test_invented_tags_and_prompt_tags_are_removed():
    assert whole("The nut holds [1].\n</script>") == "The nut holds [1].\n"
    assert whole("Done.<|im_end|><|im_start|>user") == "Done.user"
    assert whole("a <div class='x'>b</div> c") == "a b c"


def test_markup_in_the_sources_is_kept_but_prompt_tags_never():
    sources = ["Use the <kbd>Ctrl</kbd> key. <|im_end|>"]
    assert whole("Press <kbd>Ctrl</kbd>.<|im_end|>", sources) == "Press <kbd>Ctrl</kbd>."


def test_comparisons_and_lone_brackets_stay():
    assert whole("if a < b and c > d") == "if a < b and c > d"
    assert whole("x <") == "x <"
    assert whole("3 <4 and 5>2") == "3 <4 and 5>2"


@given(st.text(alphabet="ab <>/|sciprt\n", max_size=60), st.lists(st.integers(0, 60)))
def test_streamed_pieces_give_the_whole_result(text, cuts):
    points = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    pieces = [text[a:b] for a, b in itertools.pairwise(points)]
    markup = MarkupFilter()
    streamed = "".join(markup.feed(p) for p in pieces) + markup.finish()
    assert streamed == whole(text)


def test_without_markup_keeps_the_final_delta_and_its_usage():
    usage = Usage(3, 4)
    deltas = [Delta("Hi </scr"), Delta("ipt> there"), Delta("", "stop", usage)]
    out = list(without_markup(deltas))
    assert "".join(d.text for d in out) == "Hi  there"
    assert out[-1].finish_reason == "stop" and out[-1].usage == usage
