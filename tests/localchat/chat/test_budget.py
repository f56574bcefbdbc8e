"""Token budget: sources fit best-first, renumbered, nothing cut or lost."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localchat.chat.budget import SEAM_TOKENS, fit_sources, plan_prompt
from localchat.chat.prompt import render_source
from localchat.chat.types import Source, make_preview
from localchat.errors import ContextOverflowError
from localchat.generation.base import ChatMessage
from localchat.generation.scripted import ScriptedGenerator
from tests.localchat.chat.helpers import source


def count_words(text: str) -> int:
    return len(text.split())


def cost(item: Source, index: int) -> int:
    from msgspec.structs import replace

    return count_words(render_source(replace(item, index=index))) + SEAM_TOKENS


retrieved = st.lists(
    st.builds(
        lambda words, relevance: (words, relevance),
        st.integers(1, 120),
        st.floats(0.0, 1.0, allow_nan=False),
    ),
    max_size=15,
).map(
    lambda items: [
        Source(
            index=i + 1,
            chunk_id=i,
            document_id=1,
            filename="a.md",
            page=1,
            chunk_index=i,
            relevance=relevance,
            text=" ".join(["word"] * words),
            preview=make_preview("word " * words),
        )
        for i, (words, relevance) in enumerate(items)
    ]
)


@settings(max_examples=300)
@given(
    sources=retrieved,
    context=st.integers(0, 3000),
    fixed=st.integers(0, 800),
    answer=st.integers(0, 600),
)
def test_fit_sources_invariants(sources: list[Source], context: int, fixed: int, answer: int):
    used, dropped = fit_sources(sources, count_words, context, fixed, answer)
    room = context - fixed - answer
    # Nothing lost, nothing duplicated.
    assert sorted(s.chunk_id for s in used + dropped) == sorted(s.chunk_id for s in sources)
    # Used sources are numbered 1..n, best first, and fit in the room.
    assert [s.index for s in used] == list(range(1, len(used) + 1))
    assert [s.relevance for s in used] == sorted((s.relevance for s in used), reverse=True)
    spent = sum(cost(s, s.index) for s in used)
    assert spent <= max(room, 0)
    # Nothing dropped would still have fitted in what is left; dropped keep their numbers.
    left = room - spent
    originals = {s.chunk_id: s for s in sources}
    for item in dropped:
        assert cost(item, len(used) + 1) > left
        assert item == originals[item.chunk_id]
    # Texts are whole: nothing silently cut.
    for item in used:
        assert item.text == originals[item.chunk_id].text


def test_fit_sources_prefers_relevance_over_retrieval_order() -> None:
    low, high = source(1, relevance=0.2), source(2, relevance=0.9)
    used, dropped = fit_sources([low, high], count_words, 10_000, 0, 0)
    assert [(s.chunk_id, s.index) for s in used] == [(high.chunk_id, 1), (low.chunk_id, 2)]
    assert dropped == []


def test_fit_sources_skips_a_big_source_but_keeps_a_small_later_one() -> None:
    big = source(1, "word " * 500, relevance=0.9)
    small = source(2, "tiny passage", relevance=0.5)
    used, dropped = fit_sources([big, small], count_words, 100, 10, 20)
    assert [s.chunk_id for s in used] == [small.chunk_id]
    assert used[0].index == 1
    assert dropped == [big]


def test_no_room_drops_everything() -> None:
    items = [source(1), source(2)]
    used, dropped = fit_sources(items, count_words, 100, 90, 50)
    assert used == []
    assert dropped == items


def test_plan_prompt_fits_the_context_exactly() -> None:
    generator = ScriptedGenerator(context_tokens=300)
    items = [source(i, "word " * 60, relevance=1 - i / 10) for i in range(1, 8)]
    history = [ChatMessage("user", "earlier question"), ChatMessage("assistant", "answer [1]")]
    plan = plan_prompt(generator, "", history, "What now?", items, max_answer_tokens=64)
    assert plan.used, "some sources must fit"
    assert plan.dropped, "not all sources can fit"
    assert plan.prompt_tokens == generator.count_messages(plan.messages)
    assert plan.prompt_tokens + plan.max_answer_tokens <= 300
    assert len(plan.used) + len(plan.dropped) == len(items)
    assert plan.max_answer_tokens == 64
    assert all(f'<source id="{s.index}"' in plan.messages[-1].content for s in plan.used)


def test_plan_prompt_leaves_out_oldest_turns_before_failing() -> None:
    generator = ScriptedGenerator(context_tokens=200)
    history = [
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "old " * 100),
        ChatMessage("assistant", "reply " * 30),
        ChatMessage("user", "recent question"),
        ChatMessage("assistant", "recent answer"),
    ]
    plan = plan_prompt(generator, "", history, "And now?", [source(1)], max_answer_tokens=64)
    assert plan.history_dropped == 2
    contents = [m.content for m in plan.messages]
    assert "recent question" in contents
    assert not any(c.startswith("old ") for c in contents)
    assert "Be brief." in contents[0]
    assert plan.prompt_tokens + plan.max_answer_tokens <= 200


def test_plan_prompt_raises_when_the_question_alone_is_too_long() -> None:
    generator = ScriptedGenerator(context_tokens=100)
    with pytest.raises(ContextOverflowError) as caught:
        plan_prompt(generator, "", [], "word " * 80, [source(1)], max_answer_tokens=64)
    assert caught.value.status == 400
    assert "context" in caught.value.message


def test_plan_prompt_lowers_the_answer_limit_to_the_room_left() -> None:
    generator = ScriptedGenerator(context_tokens=150)
    plan = plan_prompt(generator, "", [], "word " * 40, [], max_answer_tokens=512)
    assert plan.max_answer_tokens == 150 - plan.prompt_tokens
    assert plan.max_answer_tokens >= 32


def test_plan_prompt_caps_the_tokens_sources_take() -> None:
    generator = ScriptedGenerator(context_tokens=4096)
    items = [source(i, "word " * 60, relevance=1 - i / 20) for i in range(1, 15)]
    whole = plan_prompt(generator, "", [], "What now?", items, max_answer_tokens=64)
    capped = plan_prompt(
        generator, "", [], "What now?", items, max_answer_tokens=64, source_tokens=200
    )
    assert len(whole.used) == len(items)
    assert 0 < len(capped.used) < len(whole.used)
    no_sources = generator.count_messages(
        plan_prompt(generator, "", [], "What now?", [], 64).messages
    )
    assert capped.prompt_tokens - no_sources <= 200 + 40  # 40: the sources section's framing
    assert [s.chunk_id for s in capped.used] == [s.chunk_id for s in items[: len(capped.used)]]
