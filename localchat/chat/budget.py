"""Token budget: which retrieved sources fit in the model's context next to the conversation."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec

from localchat.chat.prompt import build_messages, render_source
from localchat.chat.types import Source
from localchat.errors import ContextOverflowError
from localchat.generation.base import ChatMessage, Generator

# Blocks are counted one by one; joining them can merge or split a token at each seam.
SEAM_TOKENS = 2


def fit_sources(
    sources: Sequence[Source],
    count_tokens: Callable[[str], int],
    context_tokens: int,
    fixed_tokens: int,
    max_answer_tokens: int,
) -> tuple[list[Source], list[Source]]:
    """(used, dropped): sources added best-first while their rendered blocks fit in
    `context_tokens - fixed_tokens - max_answer_tokens`.

    Best means highest relevance (ties keep retrieval order). A source that does not fit is
    dropped whole, never cut, and a smaller one after it may still fit. Used sources are
    renumbered 1..n in that order; dropped ones keep their numbers.
    """
    room = context_tokens - fixed_tokens - max_answer_tokens
    ranked = sorted(sources, key=lambda source: -source.relevance)  # stable
    used: list[Source] = []
    dropped: list[Source] = []
    for source in ranked:
        # Measured as it will be shown: its number can change its length ([9] vs [10]).
        numbered = msgspec.structs.replace(source, index=len(used) + 1)
        cost = count_tokens(render_source(numbered)) + SEAM_TOKENS
        if cost <= room:
            used.append(numbered)
            room -= cost
        else:
            dropped.append(source)
    return used, dropped


MIN_ANSWER_TOKENS = 32  # below this an answer is not worth starting


class PromptPlan(msgspec.Struct, frozen=True):
    messages: list[ChatMessage]
    used: list[Source]
    dropped: list[Source]
    prompt_tokens: int  # exact count of `messages` after the chat template
    max_answer_tokens: int  # the request's limit, lowered if the context has less room
    history_dropped: int = 0  # oldest history messages left out to make room


def plan_prompt(
    generator: Generator,
    system_prompt: str,
    history: Sequence[ChatMessage],
    question: str,
    sources: Sequence[Source],
    max_answer_tokens: int,
    *,
    source_tokens: int | None = None,
) -> PromptPlan:
    """Messages for the question with as many sources as fit, checked with the real template.

    First the conversation must fit: the oldest turns are left out (and counted) until the
    prompt without sources leaves room for an answer; if the question alone does not fit,
    ContextOverflowError. Sources take at most `source_tokens` (all the room when None:
    small CPU models read prompts slowly, so a cap buys a fast first token). Then fit_sources
    estimates block by block; the assembled prompt is
    counted exactly and, should the estimate be short, the least relevant used source goes.
    """
    context = generator.context_tokens
    floor = min(max_answer_tokens, MIN_ANSWER_TOKENS)
    kept = list(history)
    fixed = generator.count_messages(build_messages(system_prompt, kept, question, []))
    while fixed + floor > context and _has_turns(kept):
        kept = _without_oldest_turn(kept)
        fixed = generator.count_messages(build_messages(system_prompt, kept, question, []))
    if fixed + floor > context:
        raise ContextOverflowError(
            f"the question takes {fixed} tokens with the instructions; the model's context "
            f"holds {context}, which leaves no room for an answer",
            hint="ask a shorter question, or raise models.context_tokens",
        )
    # The sources section adds separators and a reminder line beyond the blocks themselves.
    framing = (
        generator.count_messages(build_messages(system_prompt, kept, question, [_EMPTY]))
        - fixed
        - generator.count_tokens(render_source(_EMPTY))
    )
    originals = {source.chunk_id: source for source in sources}
    fixed_total = fixed + max(framing, 0)
    room = (
        context
        if source_tokens is None
        else min(context, fixed_total + source_tokens + max_answer_tokens)
    )
    used, dropped = fit_sources(
        sources, generator.count_tokens, room, fixed_total, max_answer_tokens
    )
    while True:
        messages = build_messages(system_prompt, kept, question, used)
        prompt_tokens = generator.count_messages(messages)
        if prompt_tokens + max_answer_tokens <= context or not used:
            break
        dropped.append(originals[used.pop().chunk_id])
    dropped.sort(key=lambda source: -source.relevance)
    answer_room = min(max_answer_tokens, context - prompt_tokens)
    return PromptPlan(messages, used, dropped, prompt_tokens, answer_room, len(history) - len(kept))


def _has_turns(history: list[ChatMessage]) -> bool:
    return any(message.role != "system" for message in history)


def _without_oldest_turn(history: list[ChatMessage]) -> list[ChatMessage]:
    """History without its oldest user message and the assistant reply after it."""
    first = next(i for i, message in enumerate(history) if message.role != "system")
    end = first + 1
    if end < len(history) and history[end].role == "assistant":
        end += 1
    return history[:first] + history[end:]


_EMPTY = Source(
    index=1,
    chunk_id=0,
    document_id=0,
    filename="",
    page=0,
    chunk_index=0,
    relevance=0.0,
    text="",
    preview="",
)
