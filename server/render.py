"""ChatResult and ChatEvents as OpenAI JSON: one completion object, or SSE chunks.

Stream order (DESIGN §4): the first chunk carries the role and the `sources` extension, text
chunks follow, the last content chunk carries `annotations` (only known once the answer is
complete, so one text piece is held back to carry them; the first piece goes out at once, as
time to first token is what a reader feels), then a chunk with finish_reason, a
usage chunk when `stream_options.include_usage` is set, and `data: [DONE]`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import msgspec

from localchat.chat.service import ChatEvent, ChatResult
from localchat.errors import GenerationError
from localchat.wire.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    ChunkDelta,
    CompletionUsage,
    LocalChatUsage,
    ResponseMessage,
    wire_finish,
)
from server.errors import envelope, to_localchat_error

DONE = b"data: [DONE]\n\n"
_encoder = msgspec.json.Encoder()


def sse(payload: msgspec.Struct | bytes) -> bytes:
    body = payload if isinstance(payload, bytes) else _encoder.encode(payload)
    return b"data: " + body + b"\n\n"


def usage_of(result: ChatResult) -> CompletionUsage:
    return CompletionUsage(
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        total_tokens=result.prompt_tokens + result.completion_tokens,
        localchat=LocalChatUsage(
            sources_used=result.sources_used,
            sources_dropped=result.sources_dropped,
            invalid_markers=result.invalid_markers,
            retrieval_ms=round(result.retrieval_ms, 2),
        ),
    )


def cache_tier(first: ChatEvent) -> str:
    """X-LocalChat-Cache for a stream, which must be sent before the answer is complete.

    Seam for the answer cache: a replayed answer should tell its tier on its first event.
    """
    return first.result.cache if first.result is not None else "miss"


class ChatRenderer:
    def __init__(self, model: str, include_usage: bool = False) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model
        self.include_usage = include_usage

    def completion(self, result: ChatResult) -> ChatCompletion:
        message = ResponseMessage(content=result.content, annotations=result.annotations)
        return ChatCompletion(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=[Choice(message=message, finish_reason=wire_finish(result.finish_reason))],
            usage=usage_of(result),
            sources=result.sources,
        )

    def chunk(self, delta: ChunkDelta, finish: str | None = None, **extra) -> ChatCompletionChunk:
        usage = {"usage": None} if self.include_usage else {}
        return ChatCompletionChunk(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=[ChunkChoice(delta=delta, finish_reason=finish)],
            **(usage | extra),
        )

    async def stream(
        self, first: ChatEvent, rest: AsyncIterator[ChatEvent]
    ) -> AsyncIterator[bytes]:
        sources = first.sources if first.kind == "sources" else []
        yield sse(self.chunk(ChunkDelta(role="assistant", content=""), sources=sources))
        held: str | None = None
        sent_any = False
        result: ChatResult | None = None
        try:
            async for event in _chain(first, rest):
                if event.kind == "delta" and event.text:
                    if not sent_any:  # a one-piece answer ends with an empty annotated chunk
                        sent_any = True
                        yield sse(self.chunk(ChunkDelta(content=event.text)))
                        continue
                    if held is not None:
                        yield sse(self.chunk(ChunkDelta(content=held)))
                    held = event.text
                elif event.kind == "done":
                    result = event.result
            if result is None:
                raise GenerationError("the answer ended without a result")
        except Exception as exc:  # the 200 is sent: the error travels in the stream
            yield sse(envelope(to_localchat_error(exc)))
            yield DONE
            return
        yield sse(self.chunk(ChunkDelta(content=held or "", annotations=result.annotations)))
        yield sse(self.chunk(ChunkDelta(), finish=wire_finish(result.finish_reason)))
        if self.include_usage:
            yield sse(
                ChatCompletionChunk(
                    id=self.id,
                    created=self.created,
                    model=self.model,
                    choices=[],
                    usage=usage_of(result),
                )
            )
        yield DONE


async def _chain(first: ChatEvent, rest: AsyncIterator[ChatEvent]) -> AsyncIterator[ChatEvent]:
    if first.kind != "sources":
        yield first
    async for event in rest:
        yield event
