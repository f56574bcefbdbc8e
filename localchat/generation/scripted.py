"""A deterministic fake generator for tests: scripted replies streamed word by word."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from localchat.generation.base import (
    ChatMessage,
    Delta,
    FinishReason,
    GenerationParams,
    Usage,
    is_cancelled,
)
from localchat.generation.stops import StopMatcher

Reply = Callable[[Sequence[ChatMessage]], str]
WORD = re.compile(r"\s*\S+")  # a "token": a word with the whitespace before it


class ScriptedGenerator:
    """Replies come from a list (used in turn, cycling) or a function of the messages.

    One word is one token, so `max_tokens` and usage are exact and easy to assert. Every call's
    messages (or raw prompt) are recorded in `calls`. `delay` seconds pass before each word,
    which lets tests cancel a stream half-way.
    """

    def __init__(
        self,
        replies: Sequence[str] | Reply = ("I don't know.",),
        *,
        model_id: str = "scripted",
        context_tokens: int = 4096,
        delay: float = 0.0,
    ) -> None:
        if not callable(replies) and not replies:
            raise ValueError("ScriptedGenerator needs at least one reply")
        self._replies = replies
        self.model_id = model_id
        self.context_tokens = context_tokens
        self.delay = delay
        self.calls: list[list[ChatMessage] | str] = []
        self._turn = 0
        self._lock = threading.Lock()
        self.closed = False

    def count_tokens(self, text: str) -> int:
        return len(WORD.findall(text))

    def count_messages(self, messages: Sequence[ChatMessage]) -> int:
        # Two "tokens" of role framing per message, one to open the reply.
        return sum(self.count_tokens(m.content) + 2 for m in messages) + 1

    def stream(
        self,
        messages: Sequence[ChatMessage],
        params: GenerationParams,
        cancel: threading.Event | None = None,
    ) -> Iterator[Delta]:
        with self._lock:
            self.calls.append(list(messages))
            reply = self._next_reply(messages)
        return self._emit(reply, self.count_messages(messages), params, cancel)

    def complete(
        self, prompt: str, params: GenerationParams, cancel: threading.Event | None = None
    ) -> Iterator[Delta]:
        with self._lock:
            self.calls.append(prompt)
            reply = self._next_reply([ChatMessage("user", prompt)])
        return self._emit(reply, self.count_tokens(prompt), params, cancel)

    def close(self) -> None:
        self.closed = True

    def _next_reply(self, messages: Sequence[ChatMessage]) -> str:
        if callable(self._replies):
            return self._replies(messages)
        reply = self._replies[self._turn % len(self._replies)]
        self._turn += 1
        return reply

    def _emit(
        self,
        reply: str,
        prompt_tokens: int,
        params: GenerationParams,
        cancel: threading.Event | None,
    ) -> Iterator[Delta]:
        stops = StopMatcher(params.stop)
        words = WORD.findall(reply)
        finish: FinishReason = "stop"
        produced = 0
        for word in words:
            if self.delay:
                time.sleep(self.delay)
            if is_cancelled(cancel):
                finish = "cancelled"
                break
            if produced >= params.max_tokens:
                finish = "length"
                break
            produced += 1
            text = stops.feed(word)
            if text:
                yield Delta(text)
            if stops.stopped:
                break
        tail = stops.flush()
        yield Delta(tail, finish_reason=finish, usage=Usage(prompt_tokens, produced))
