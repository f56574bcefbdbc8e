"""The generator contract: chat messages in, a stream of text deltas out."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Literal, Protocol, runtime_checkable

import msgspec

# "cancelled" is ours, not OpenAI's: the caller set the cancel Event (its client went away).
FinishReason = Literal["stop", "length", "cancelled"]


class ChatMessage(msgspec.Struct, frozen=True):
    role: str  # "system" | "user" | "assistant"
    content: str


class GenerationParams(msgspec.Struct, frozen=True):
    max_tokens: int = 512
    temperature: float = 0.2
    top_p: float = 0.95
    stop: tuple[str, ...] = ()
    seed: int | None = None
    # Structured output: "" free text; JSON_OBJECT any JSON object; else a JSON schema (as
    # JSON text) the answer must match. Local models enforce it with a llama.cpp grammar.
    json_schema: str = ""
    # The start of the assistant's answer (a trailing assistant message): generation
    # continues it, and the deltas hold only the continuation.
    prefill: str = ""


JSON_OBJECT = "object"


class Usage(msgspec.Struct, frozen=True):
    """Token counts of one generation, as the backend measured (or estimated) them."""

    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Delta(msgspec.Struct, frozen=True):
    """One streamed piece. Every stream ends with exactly one Delta whose finish_reason is set;
    that last Delta also carries `usage` (and may carry text)."""

    text: str
    finish_reason: FinishReason | None = None
    usage: Usage | None = None


@runtime_checkable
class Generator(Protocol):
    model_id: str  # GGUF file stem, or the upstream server's model name
    context_tokens: int  # the model's context window

    def count_tokens(self, text: str) -> int: ...

    def count_messages(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens of the prompt the chat template makes from `messages`."""
        ...

    def stream(
        self,
        messages: Sequence[ChatMessage],
        params: GenerationParams,
        cancel: threading.Event | None = None,
    ) -> Iterator[Delta]: ...

    def complete(
        self, prompt: str, params: GenerationParams, cancel: threading.Event | None = None
    ) -> Iterator[Delta]:
        """Raw text completion (legacy /v1/completions): no chat template."""
        ...

    def close(self) -> None: ...


class Completion(msgspec.Struct, frozen=True):
    """A whole generation gathered from its stream."""

    text: str
    finish_reason: FinishReason
    usage: Usage


def collect(deltas: Iterable[Delta]) -> Completion:
    """Drain a stream into one Completion (for non-streaming callers and tests)."""
    parts: list[str] = []
    finish: FinishReason = "stop"
    usage = Usage(0, 0)
    for delta in deltas:
        parts.append(delta.text)
        if delta.finish_reason is not None:
            finish = delta.finish_reason
        if delta.usage is not None:
            usage = delta.usage
    return Completion("".join(parts), finish, usage)


def is_cancelled(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()
