"""What a chat request is and what it yields: the request, its events and its result."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from localchat.generation.base import ChatMessage, GenerationParams
from localchat.wire.sources import Annotation, SourceEntry


class ChatRequest(msgspec.Struct, frozen=True):
    messages: list[ChatMessage]
    params: GenerationParams = GenerationParams()
    preset: str | None = "balanced"  # None: plain chat with the generator, no retrieval
    use_cache: bool = True  # False: never served from the cache (the fresh answer refreshes it)
    # None: the configured rag.answer_mode; else "extractive", "generative" or "auto".
    answer_mode: str | None = None
    # True when the answer must come out as the model wrote it (JSON output, tool calls):
    # the passages go to the model and nothing is rewritten sentence by sentence. The hook
    # for requests with `response_format` or `tools`.
    verbatim: bool = False
    # A chat model from `localchat models` to answer with; None: the active one.
    model: str | None = None
    # The collection to answer from: "default" unless named; "all" is the whole library.
    collection: str = "default"


class ChatResult(msgspec.Struct):
    content: str
    finish_reason: str
    sources: list[SourceEntry]
    annotations: list[Annotation]
    prompt_tokens: int = 0
    completion_tokens: int = 0
    sources_used: int = 0
    sources_dropped: int = 0
    invalid_markers: int = 0
    retrieval_ms: float = 0.0
    cache: str = "miss"
    document_ids: list[int] = []
    answer_mode: str = ""  # the mode that made it: extractive, generative, passages, plain
    answer_sentences: int = 0  # sentences of a generated answer that were checked
    unsupported_sentences: int = 0  # of those, dropped as not supported by the sources
    declined: bool = False  # the sources did not cover the question


class ChatEvent(msgspec.Struct, frozen=True):
    """kind "sources" (first, RAG only), "delta" (text), then one "done" with the result.

    A replayed cached answer also sets `result` on its first event, so a front end knows the
    cache tier (X-LocalChat-Cache) before it starts streaming."""

    kind: str
    text: str = ""
    sources: list[SourceEntry] = []
    result: ChatResult | None = None
    model: str = ""  # set on the first event: the chat model that answers (X-LocalChat-Model)


def replay(result: ChatResult, *, with_sources: bool, pieces: int = 4) -> Iterator[ChatEvent]:
    """A cached answer as the same event sequence a fresh one makes: sources, a few deltas
    (cut at spaces, so no citation marker is split), done. The first event carries the result
    too (see ChatEvent)."""
    words = result.content.split(" ") if result.content else []
    step = max(1, -(-len(words) // pieces))
    texts = [" ".join(words[i : i + step]) for i in range(0, len(words), step)]
    events = [ChatEvent("sources", sources=result.sources)] if with_sources else []
    events += [ChatEvent("delta", text=t if n == 0 else " " + t) for n, t in enumerate(texts)]
    events.append(ChatEvent("done", result=result))
    yield msgspec.structs.replace(events[0], result=result)
    yield from events[1:]
