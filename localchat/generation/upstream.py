"""Generation on any OpenAI-compatible server (Ollama, llama.cpp server, vLLM) over streamed SSE."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from localchat.errors import ConfigError, ContextOverflowError, UpstreamError
from localchat.generation.base import (
    JSON_OBJECT,
    ChatMessage,
    Delta,
    GenerationParams,
)
from localchat.generation.sse import CHARS_PER_TOKEN, EventStream

# Reading waits long: a busy server may take a while before its first token.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=120.0, write=30.0, pool=10.0)


class UpstreamGenerator:
    """Streams chat and text completions from `<base_url>/chat/completions` and `/completions`.

    Token counts before generation are estimates (characters / 4): the remote tokenizer is not
    available. Usage after a stream is the server's own figure when it sends one.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        model: str = "",
        *,
        context_tokens: int = 4096,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        if not model:
            raise ConfigError(
                "models.upstream_model is empty",
                hint="set it to a model the server serves (for Ollama: see `ollama list`)",
                param="upstream_model",
            )
        self.base_url = normalise_base_url(base_url)
        self.model_id = model
        self.context_tokens = context_tokens
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def count_tokens(self, text: str) -> int:
        return math.ceil(len(text) / CHARS_PER_TOKEN)

    def count_messages(self, messages: Sequence[ChatMessage]) -> int:
        # ~4 tokens of role markers per message and 3 to open the reply, as in ChatML.
        return sum(self.count_tokens(m.content) + 4 for m in messages) + 3

    def stream(
        self,
        messages: Sequence[ChatMessage],
        params: GenerationParams,
        cancel: threading.Event | None = None,
    ) -> Iterator[Delta]:
        wire = [{"role": m.role, "content": m.content} for m in messages]
        if params.prefill:  # OpenAI-compatible servers continue a trailing assistant message
            wire.append({"role": "assistant", "content": params.prefill})
        body: dict[str, Any] = {"messages": wire}
        if params.json_schema:
            body["response_format"] = response_format(params.json_schema)
        response = self._open("/chat/completions", body, params)
        return EventStream(response, self.base_url, self.count_messages(messages), cancel)

    def complete(
        self, prompt: str, params: GenerationParams, cancel: threading.Event | None = None
    ) -> Iterator[Delta]:
        response = self._open("/completions", {"prompt": prompt}, params)
        return EventStream(response, self.base_url, self.count_tokens(prompt), cancel)

    def close(self) -> None:
        self._client.close()

    def _open(self, path: str, body: dict[str, Any], params: GenerationParams) -> httpx.Response:
        """Send the request and check its status, so errors surface before any text."""
        payload = {
            "model": self.model_id,
            **body,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
            **({"stop": list(params.stop)} if params.stop else {}),
            **({"seed": params.seed} if params.seed is not None else {}),
        }
        return self._send(path, payload)

    def relay(self, body: dict[str, Any]) -> httpx.Response:
        """A chat request sent on as the client wrote it (tools, tool calls and tool messages
        included), under this server's model name; the open response, status checked."""
        return self._send("/chat/completions", {**body, "model": self.model_id})

    def _send(self, path: str, payload: dict[str, Any]) -> httpx.Response:
        request = self._client.build_request("POST", path, json=payload)
        try:
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise UpstreamError(
                f"the generation server at {self.base_url} did not answer in time ({exc!r})",
                hint="check that it is running and not overloaded",
            ) from None
        except httpx.HTTPError as exc:
            raise UpstreamError(
                f"cannot reach the generation server at {self.base_url}: {exc}",
                hint="start the server, or fix models.upstream_base_url (e.g. "
                "http://127.0.0.1:11434/v1 for Ollama)",
            ) from None
        if response.status_code >= 400:
            try:
                response.read()
            finally:
                response.close()
            raise status_error(response, self.base_url, self.model_id)
        return response


def response_format(json_schema: str) -> dict[str, Any]:
    """GenerationParams.json_schema as OpenAI's response_format, for the upstream server."""
    if json_schema == JSON_OBJECT:
        return {"type": "json_object"}
    schema = json.loads(json_schema)
    return {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}


def normalise_base_url(base_url: str) -> str:
    """`http://host:11434` → `http://host:11434/v1`; a trailing endpoint path is removed."""
    url = httpx.URL(base_url.strip())
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(
            f"models.upstream_base_url = {base_url!r} is not an http(s) URL",
            hint="use e.g. http://127.0.0.1:11434/v1",
            param="upstream_base_url",
        )
    path = url.path.rstrip("/")
    for suffix in ("/chat/completions", "/completions"):
        path = path.removesuffix(suffix)
    return str(url.copy_with(path=path or "/v1")).rstrip("/")


def status_error(response: httpx.Response, base_url: str, model: str) -> Exception:
    """The UpstreamError (with a next step) for an HTTP error answer."""
    status = response.status_code
    detail, code = _error_detail(response)
    where = f"the generation server at {base_url}"
    if code == "context_length_exceeded":
        return ContextOverflowError(
            f"{where} says the prompt is too long: {detail}",
            hint="shorten the conversation, or lower rag top_k",
        )
    if status in (401, 403):
        hint = "set models.upstream_api_key to a key this server accepts"
        return UpstreamError(f"{where} rejected the API key (HTTP {status}): {detail}", hint=hint)
    if status == 404:
        hint = f"check models.upstream_model ({model!r}) and that the base URL ends in /v1"
        return UpstreamError(f"{where} answered 404 Not Found: {detail}", hint=hint)
    if status < 500:
        hint = "check models.upstream_model and the server's documentation"
        return UpstreamError(f"{where} refused the request (HTTP {status}): {detail}", hint=hint)
    hint = "check the generation server's own logs"
    return UpstreamError(f"{where} failed (HTTP {status}): {detail}", hint=hint)


def _error_detail(response: httpx.Response) -> tuple[str, str]:
    text = response.text[:500]
    try:
        error = json.loads(text).get("error")
    except (ValueError, AttributeError):
        return text.strip() or response.reason_phrase, ""
    if isinstance(error, dict):
        return str(error.get("message", text)), str(error.get("code") or "")
    return str(error or text), ""
