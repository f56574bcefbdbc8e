"""The async HTTP client: one connection pool to one server; failures become LocalChatErrors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from localchat import errors
from localchat.client.types import (
    CollectionView,
    DocumentView,
    Job,
    Model,
    RagConfigView,
    SourceEntry,
    StreamEvent,
    UrlCitation,
    decode,
    items,
)
from localchat.wire.models import ActiveModelView, ModelsView

ServerUnreachableError = errors.ServerUnreachableError


_BY_STATUS = {
    400: errors.InvalidRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    413: errors.PayloadTooLargeError,
    503: errors.NotReadyError,
}


def _error_classes() -> dict[str, type[errors.LocalChatError]]:
    found: dict[str, type[errors.LocalChatError]] = {}
    pending: list[type[errors.LocalChatError]] = [errors.LocalChatError]
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("localchat."):  # not a front end's own subclasses
            found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


def error_from_response(status: int, body: bytes) -> errors.LocalChatError:
    """The LocalChatError an error reply stands for (OpenAI envelope or anything else).

    The server's message already says what happened and what to do (its `user_message()`),
    so it is kept whole; only the trailing docs pointer is cut, since `user_message()` on this
    side adds it back for the same code.
    """
    try:
        envelope = json.loads(body or b"{}").get("error") or {}
    except (ValueError, AttributeError):
        envelope = {}
    if not isinstance(envelope, dict):
        envelope = {"message": str(envelope)}
    code = str(envelope.get("code") or "")
    message = str(envelope.get("message") or f"the server answered HTTP {status}")
    message = message.split(f" See {errors.DOCS}#", 1)[0].rstrip()
    cls = _error_classes().get(code) or _BY_STATUS.get(status, errors.LocalChatError)
    hint = "see the server log, or run `localchat doctor`" if status >= 500 and not code else ""
    error = cls(message.rstrip("."), hint=hint, param=envelope.get("param"))
    if code and cls.code != code:  # a code only the server knows: keep it for the docs link
        error.code = code
    return error


class LocalChatClient:
    """Every method raises LocalChatError subclasses only (never httpx errors)."""

    def __init__(self, base_url: str, *, api_key: str = "", timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, accept=(), **kwargs: Any) -> Any:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None
        if response.status_code >= 400 and response.status_code not in accept:
            raise error_from_response(response.status_code, response.content)
        return response.json() if response.content else None

    def _transport_error(self, exc: httpx.HTTPError) -> errors.LocalChatError:
        if isinstance(exc, httpx.TimeoutException):
            return errors.NotReadyError(
                f"the server at {self.base_url} did not answer in time",
                hint="it may be busy; try again, or check `localchat doctor`",
            )
        return ServerUnreachableError(
            f"no LocalChat server answers at {self.base_url} ({type(exc).__name__})",
            hint="start one with `localchat serve`, or run `localchat` to start it for you",
        )

    async def health(self, level: str = "ready") -> dict[str, Any]:
        """The health report; a failing one (503) is returned too, since it says why."""
        return await self._request("GET", f"/api/health/{level}", accept=(503,)) or {}

    async def models(self) -> list[Model]:
        return decode(items(await self._request("GET", "/v1/models")), list[Model])

    async def documents(self) -> list[DocumentView]:
        return decode(items(await self._request("GET", "/api/documents")), list[DocumentView])

    async def collections(self) -> list[CollectionView]:
        """The library's collections with their counts, "default" first."""
        return decode(items(await self._request("GET", "/api/collections")), list[CollectionView])

    async def delete_document(self, document_id: int) -> None:
        await self._request("DELETE", f"/api/documents/{document_id}")

    async def ingest_paths(self, paths: Sequence[str], collection: str = "default") -> Job:
        payload = {"paths": list(paths), "collection": collection}
        body = await self._request("POST", "/api/documents", json=payload)
        return decode(body.get("job", body), Job)

    async def upload(self, files: Sequence[Path], collection: str = "default") -> Job:
        handles = []
        try:
            for path in files:
                handles.append(open(path, "rb"))  # noqa: SIM115 - closed below
        except OSError as exc:
            for handle in handles:
                handle.close()
            raise errors.InvalidRequestError(
                f"cannot read {exc.filename}: {exc.strerror or exc}",
                hint="check that the file exists and that you may read it",
            ) from None
        try:
            parts = [("files", (p.name, h)) for p, h in zip(files, handles, strict=True)]
            form = {"collection": collection}
            body = await self._request("POST", "/api/documents", files=parts, data=form)
        finally:
            for handle in handles:
                handle.close()
        return decode(body.get("job", body), Job)

    async def job(self, job_id: str) -> Job:
        return decode(await self._request("GET", f"/api/jobs/{job_id}"), Job)

    async def search(
        self, query: str, preset: str | None = None, collection: str | None = None
    ) -> list[SourceEntry]:
        payload: dict[str, Any] = {"query": query} | ({"preset": preset} if preset else {})
        payload |= {"collection": collection} if collection else {}
        hits = items(await self._request("POST", "/api/search", json=payload))
        return decode([{"index": n} | hit for n, hit in enumerate(hits, 1)], list[SourceEntry])

    async def rag_config(self) -> RagConfigView:
        return decode(await self._request("GET", "/api/config/rag"), RagConfigView)

    async def set_rag_config(self, changes: dict[str, Any]) -> tuple[RagConfigView, Job | None]:
        """Apply a preset and/or overrides; the job is the background re-chunk, if one runs."""
        config = decode(await self._request("POST", "/api/config/rag", json=changes), RagConfigView)
        job = await self.job(config.rechunk_job) if config.rechunk_job else None
        return config, job

    async def local_models(self, *, refresh: bool = False) -> ModelsView:
        """What the server found on its machine (GET /api/models), with a note for each."""
        path = "/api/models?refresh=true" if refresh else "/api/models"
        return decode(await self._request("GET", path), ModelsView)

    async def use_model(self, name: str) -> ActiveModelView:
        """Make `name` the server's chat model (it loads it, then swaps; no restart)."""
        body = await self._request("POST", "/api/models/active", json={"model": name})
        return decode(body, ActiveModelView)

    async def chat(
        self, messages: Sequence[dict[str, str]], *, model: str = "localchat", **extra: Any
    ) -> AsyncIterator[StreamEvent]:
        """Stream one answer. Closing the iterator (or cancelling its task) drops the request,
        which stops the generation on the server."""
        payload = {"model": model, "messages": list(messages), "stream": True} | extra
        timeout = httpx.Timeout(30, read=300)
        try:
            async with self._http.stream(
                "POST", "/v1/chat/completions", json=payload, timeout=timeout
            ) as response:
                if response.status_code >= 400:
                    raise error_from_response(response.status_code, await response.aread())
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    try:
                        chunk = json.loads(data)
                    except ValueError:
                        raise errors.LocalChatError(
                            "the server sent a stream chunk that is not JSON",
                            hint="make sure the server and the TUI are the same LocalChat version",
                        ) from None
                    for event in stream_events(chunk):
                        yield event
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None


def stream_events(chunk: dict[str, Any]) -> list[StreamEvent]:
    """The events one `chat.completion.chunk` carries, in the order to apply them."""
    if "error" in chunk:
        raise error_from_response(500, json.dumps(chunk).encode())
    events: list[StreamEvent] = []
    if "sources" in chunk:
        events.append(StreamEvent("sources", sources=decode(chunk["sources"], list[SourceEntry])))
    for choice in chunk.get("choices") or []:
        delta = choice.get("delta") or {}
        if delta.get("content"):
            events.append(StreamEvent("delta", text=delta["content"]))
        notes = delta.get("annotations") or []
        citations = [n.get("url_citation", n) for n in notes if isinstance(n, dict)]
        if citations or choice.get("finish_reason"):
            events.append(
                StreamEvent(
                    "done",
                    citations=decode(citations, list[UrlCitation]),
                    finish_reason=choice.get("finish_reason") or "",
                )
            )
    return events
