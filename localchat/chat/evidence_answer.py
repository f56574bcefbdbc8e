"""The evidence-first answer of a RAG request: evidence → extractive or checked generative.

Part of ChatService (it calls back into the service for generation and telemetry); kept in
its own module so the orchestrator stays readable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from localchat.answer.compose import decline_answer, extractive_answer
from localchat.answer.coverage import decide
from localchat.answer.evidence import PASSAGES, Evidence, EvidenceItem, select_evidence
from localchat.answer.generative import (
    EVIDENCE_SYSTEM_PROMPT,
    VerifiedStream,
    evidence_messages,
    quoted_items,
)
from localchat.chat.citations import resolve_citations
from localchat.chat.results import ChatEvent, ChatResult
from localchat.chat.types import Source
from localchat.generation.base import Usage
from localchat.wire.sources import Quote, SourceEntry

PROMPT_TOKENS = 600  # the evidence prompt's cap, rules and question included
GENERATIVE_MAX_TOKENS = 160  # three short sentences and their markers, with room to spare


def quote_of(item: EvidenceItem) -> Quote:
    return Quote(item.start, item.end, item.text)


def evidence_entries(pairs, evidence: Evidence) -> list[SourceEntry]:
    """`sources[]`: the passages evidence was taken from, each with its best quoted span."""
    from localchat.chat.service import explain_entry  # the service module imports this one

    quotes = quoted_items(evidence)
    return [
        explain_entry(
            source, hit, quote_of(quotes[source.index]) if source.index in quotes else None
        )
        for source, hit in pairs
    ]


def evidence_events(
    service, generator, request, mode: str, asked: tuple[str, str], pairs, took: float, cancel
) -> Iterator[ChatEvent]:
    question, extra_system = asked
    pairs = pairs[:PASSAGES]
    sources = [source for source, _ in pairs]
    evidence = select_evidence(question, sources, service.vectors)
    entries = evidence_entries(pairs, evidence)
    yield ChatEvent("sources", sources=entries)
    base = {"sources": entries, "retrieval_ms": took, "answer_mode": mode}
    count = generator.count_tokens
    rag = service.runtime.settings.rag
    passages = [source.text for source in sources]
    decision = decide(
        question, evidence, passages, service.runtime.retriever.word_counts,
        score=rag.decline_score, min_coverage=rag.decline_coverage,
    )  # fmt: skip
    if not decision.covered:
        text = decline_answer(decision.missing)
        yield ChatEvent("delta", text=text)
        yield _done(text, sources, base, usage=_written(count, text), declined=True)
        return
    fallback = extractive_answer(evidence, question)
    if mode == "extractive":
        text, finish = within_tokens(fallback, count, request.params.max_tokens)
        yield ChatEvent("delta", text=text)
        yield _done(text, sources, base, finish=finish, usage=_written(count, text))
        return
    system = EVIDENCE_SYSTEM_PROMPT + (f"\n\n{extra_system}" if extra_system else "")
    evidence, messages = fit_evidence(generator, system, question, evidence, sources)
    room = generator.context_tokens - generator.count_messages(messages)
    limit = max(1, min(request.params.max_tokens, GENERATIVE_MAX_TOKENS, room))
    params = msgspec.structs.replace(request.params, max_tokens=limit)
    checked = VerifiedStream(question, evidence, sources, service.vectors)
    usage, finish = Usage(0, 0), "stop"
    stream = service._generate(generator, messages, params, cancel)
    try:
        for delta in stream:
            if text := checked.feed(delta.text):
                yield ChatEvent("delta", text=text)
            if delta.finish_reason is not None:
                finish, usage = delta.finish_reason, delta.usage or usage
            if checked.full:
                finish = "stop"
                break
    finally:
        stream.close()
    if finish != "cancelled" and (rest := checked.finish(fallback, cut=finish == "length")):
        yield ChatEvent("delta", text=rest)
    yield _done(
        checked.text,
        sources,
        base,
        finish=finish,
        usage=usage,
        answer_sentences=checked.kept + checked.dropped,
        unsupported_sentences=checked.dropped,
        invalid_markers=checked.invalid,
    )


def fit_evidence(generator, system: str, question: str, evidence: Evidence, sources):
    """(evidence, messages) with the prompt at most PROMPT_TOKENS long: the lowest-scoring
    evidence sentences go first (a small CPU model reads ~100 prompt tokens a second)."""
    items = list(evidence.items)
    while True:
        trimmed = Evidence(items, evidence.candidates)
        messages = evidence_messages(system, question, trimmed, sources)
        if len(items) <= 1 or generator.count_messages(messages) <= PROMPT_TOKENS:
            return trimmed, messages
        items.remove(min(items, key=lambda item: item.score))


def within_tokens(text: str, count, limit: int) -> tuple[str, str]:
    """(text, finish_reason): the answer cut at a word to at most `limit` tokens ("length"),
    as a generated answer would stop at max_tokens."""
    if count(text) <= limit:
        return text, "stop"
    words = text.split(" ")
    while len(words) > 1 and count(" ".join(words)) > limit:
        words.pop()
    return " ".join(words), "length"


def _written(count, text: str) -> Usage:
    """Usage of an answer no model wrote: no prompt, the answer's tokens as the completion
    (what a client counts against its max_tokens and shows as the answer's length)."""
    return Usage(0, count(text))


def _done(
    text: str,
    sources: list[Source],
    base: dict[str, Any],
    *,
    finish: str = "stop",
    usage: Usage | None = None,
    **extra: Any,
) -> ChatEvent:
    extra.setdefault("invalid_markers", 0)
    cited = resolve_citations(text, sources)
    if cited.text != text:  # the answer was built from valid markers only
        raise AssertionError("an evidence answer changed when its citations were resolved")
    usage = usage or Usage(0, 0)
    return ChatEvent(
        "done",
        result=ChatResult(
            content=text,
            finish_reason=finish,
            annotations=cited.annotations,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            sources_used=len(sources),
            document_ids=sorted({s.document_id for s in sources}),
            **base,
            **extra,
        ),
    )
