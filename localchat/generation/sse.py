"""The streamed SSE reply of an OpenAI-compatible server, read as LocalChat Deltas."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from typing import Any

import httpx

from localchat.errors import UpstreamError
from localchat.generation.base import Delta, FinishReason, Usage, is_cancelled

CHARS_PER_TOKEN = 4  # the usual English average; this backend cannot see the real tokenizer


class EventStream:
    """Iterates the Deltas of one SSE response; closing it closes the connection."""

    def __init__(
        self,
        response: httpx.Response,
        base_url: str,
        prompt_estimate: int,
        cancel: threading.Event | None,
    ) -> None:
        self._response = response
        self._base_url = base_url
        self._prompt_estimate = prompt_estimate
        self._cancel = cancel
        self._saw_done = False
        self._deltas = self._run()

    def __iter__(self) -> Iterator[Delta]:
        return self

    def __next__(self) -> Delta:
        return next(self._deltas)

    def close(self) -> None:
        self._deltas.close()
        self._response.close()

    def _run(self) -> Iterator[Delta]:
        finish: FinishReason = "stop"
        finished = False
        usage: Usage | None = None
        parts: list[str] = []
        try:
            for event in self._events():
                if is_cancelled(self._cancel):
                    finish, finished = "cancelled", True
                    break
                text, reason, event_usage = _parse_chunk(event)
                usage = event_usage or usage
                if reason is not None:
                    finish, finished = ("length" if reason == "length" else "stop"), True
                if text:
                    parts.append(text)
                    yield Delta(text)
        except httpx.HTTPError as exc:
            raise UpstreamError(
                f"the generation server at {self._base_url} broke off the stream: {exc!r}",
                hint="check the server's logs; retry the question",
            ) from None
        finally:
            self._response.close()
        if not (finished or self._saw_done):
            raise UpstreamError(
                f"the generation server at {self._base_url} ended the stream without finishing",
                hint="check the server's logs; retry the question",
            )
        if usage is None:  # estimate, as for the prompt
            usage = Usage(self._prompt_estimate, math.ceil(len("".join(parts)) / CHARS_PER_TOKEN))
        yield Delta("", finish_reason=finish, usage=usage)

    def _events(self) -> Iterator[dict[str, Any]]:
        """The JSON payloads of the SSE `data:` events, up to `[DONE]`."""
        data: list[str] = []
        for line in self._response.iter_lines():
            if line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
                continue
            if line or not data:
                continue  # comments, event:/id: fields, keep-alive blank lines
            payload, data = "\n".join(data), []
            if payload.strip() == "[DONE]":
                self._saw_done = True
                return
            yield self._decode(payload)
        payload = "\n".join(data).strip()
        if payload == "[DONE]":
            self._saw_done = True
        elif payload:
            yield self._decode(payload)

    def _decode(self, payload: str) -> dict[str, Any]:
        try:
            event = json.loads(payload)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            raise UpstreamError(
                f"the generation server at {self._base_url} sent a malformed stream event: "
                f"{payload[:200]!r}",
                hint="check that models.upstream_base_url points at an OpenAI-compatible API",
            )
        if "error" in event:
            error = event["error"]
            message = error.get("message", error) if isinstance(error, dict) else error
            raise UpstreamError(
                f"the generation server at {self._base_url} reported an error: {message}",
                hint="check the server's logs",
            )
        return event


def _parse_chunk(event: dict[str, Any]) -> tuple[str, str | None, Usage | None]:
    """(text, finish_reason, usage) of one chat or text completion chunk."""
    usage = None
    raw_usage = event.get("usage")
    if isinstance(raw_usage, dict) and "completion_tokens" in raw_usage:
        usage = Usage(int(raw_usage.get("prompt_tokens", 0)), int(raw_usage["completion_tokens"]))
    choices = event.get("choices") or []
    if not choices:
        return "", None, usage
    choice = choices[0]
    delta = choice.get("delta")
    text = (delta or {}).get("content") if isinstance(delta, dict) else choice.get("text")
    return text or "", choice.get("finish_reason"), usage
