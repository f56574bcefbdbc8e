"""POST /v1/responses: the OpenAI Responses API on the same ChatService (whole or streamed).

A stream is SSE with `event:` names: response.created, response.in_progress,
response.output_item.added, response.content_part.added, response.output_text.delta…,
response.output_text.annotation.added…, response.output_text.done, response.content_part.done,
response.output_item.done, response.completed.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Controller, Request, Response, post
from litestar.params import JSONBody
from litestar.response import Stream

from localchat.chat.service import ChatEvent, ChatRequest, ChatResult
from localchat.errors import GenerationError
from localchat.generation.base import GenerationParams
from localchat.wire.responses import (
    OutputMessage,
    OutputText,
    ResponseObject,
    ResponseRequest,
    ResponseUsage,
    annotations_for,
    check_request,
    json_schema_of,
    to_messages,
)
from server.bridge import cancel_on_disconnect
from server.catalog import canonical, chat_collection, resolve_chat
from server.controllers.chat import check_json_schema, wants_fresh
from server.deps import ChatDep, ModelsDep, SettingsDep, ThreadsDep, needs
from server.errors import to_localchat_error

_encoder = msgspec.json.Encoder()


class ResponseBuilder:
    def __init__(self, data: ResponseRequest) -> None:
        self.data = data
        self.id = f"resp_{uuid.uuid4().hex}"
        self.item_id = f"msg_{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.sequence = 0

    def response(self, result: ChatResult | None, status: str) -> ResponseObject:
        output, usage, incomplete, sources = [], None, None, []
        if result is not None:
            annotations = annotations_for(result.content, result.annotations, result.sources)
            content = [OutputText(text=result.content, annotations=annotations)]
            output = [OutputMessage(id=self.item_id, content=content)]
            usage = ResponseUsage(
                input_tokens=result.prompt_tokens,
                output_tokens=result.completion_tokens,
                total_tokens=result.prompt_tokens + result.completion_tokens,
            )
            sources = result.sources
            if result.finish_reason == "length":
                status, incomplete = "incomplete", {"reason": "max_output_tokens"}
        data = self.data
        return ResponseObject(
            id=self.id,
            created_at=self.created,
            model=data.model,
            output=output,
            status=status,
            instructions=data.instructions,
            max_output_tokens=data.max_output_tokens,
            temperature=data.temperature,
            top_p=data.top_p,
            usage=usage,
            incomplete_details=incomplete,
            metadata=data.metadata or {},
            sources=sources,
        )

    def event(self, kind: str, **fields: Any) -> bytes:
        payload = {"type": kind, "sequence_number": self.sequence, **fields}
        self.sequence += 1
        return b"event: " + kind.encode() + b"\ndata: " + _encoder.encode(payload) + b"\n\n"

    def at_item(self, **fields: Any) -> dict[str, Any]:
        return {"item_id": self.item_id, "output_index": 0, "content_index": 0, **fields}

    async def stream(self, first: ChatEvent, rest: AsyncIterator[ChatEvent]):
        yield self.event("response.created", response=self.response(None, "in_progress"))
        yield self.event("response.in_progress", response=self.response(None, "in_progress"))
        item = {"id": self.item_id, "type": "message", "role": "assistant", "content": []}
        yield self.event(
            "response.output_item.added", output_index=0, item=item | {"status": "in_progress"}
        )
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        yield self.event("response.content_part.added", **self.at_item(part=part))
        result = None
        try:
            event: ChatEvent | None = first
            while event is not None:
                if event.kind == "delta" and event.text:
                    yield self.event(
                        "response.output_text.delta", **self.at_item(delta=event.text, logprobs=[])
                    )
                elif event.kind == "done":
                    result = event.result
                event = await anext(rest, None)
            if result is None:
                raise GenerationError("the answer ended without a result")
        except Exception as exc:  # the 200 is sent: the failure travels as events
            error = to_localchat_error(exc)
            yield self.event("error", code=error.code, message=error.user_message(), param=None)
            yield self.event("response.failed", response=self.response(None, "failed"))
            return
        done = self.response(result, "completed")
        text = done.output[0].content[0]
        for index, annotation in enumerate(text.annotations):
            yield self.event(
                "response.output_text.annotation.added",
                **self.at_item(annotation_index=index, annotation=annotation),
            )
        yield self.event(
            "response.output_text.done", **self.at_item(text=result.content, logprobs=[])
        )
        yield self.event("response.content_part.done", **self.at_item(part=text))
        yield self.event("response.output_item.done", output_index=0, item=done.output[0])
        final = "response.incomplete" if done.status == "incomplete" else "response.completed"
        yield self.event(final, response=done)


class ResponsesController(Controller):
    path = "/v1/responses"
    dependencies = needs("models", "chat", "threads", "settings")

    @post("/", status_code=200)
    async def create(
        self,
        data: JSONBody[ResponseRequest],
        request: Request,
        models: ModelsDep,
        chat: ChatDep,
        threads: ThreadsDep,
        settings: SettingsDep,
    ) -> Response | Stream:
        generator = await models.generator()
        check_request(data)
        params = GenerationParams(
            max_tokens=data.max_output_tokens or settings.models.max_answer_tokens,
            temperature=0.0 if data.temperature is None else data.temperature,
            top_p=GenerationParams().top_p if data.top_p is None else data.top_p,
            json_schema=json_schema_of(data.text),
        )
        check_json_schema(generator, params.json_schema)
        name = canonical(data.model, models.aliases)
        ref = resolve_chat(name, generator.model_id, await models.chat_names())
        chat_request = ChatRequest(
            messages=to_messages(data),
            params=params,
            preset=ref.preset,
            use_cache=not wants_fresh(request),
            verbatim=bool(params.json_schema),
            model=ref.model,
            collection=chat_collection(ref, data.collection, chat.runtime.store),
        )
        cancel = threading.Event()
        events = threads.answer(chat, chat_request, cancel)
        builder = ResponseBuilder(data)
        async with cancel_on_disconnect(request.receive, cancel):
            first = await anext(events)  # errors before any text keep their own status
        if data.stream:
            return Stream(
                builder.stream(first, events),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache"},
            )
        result = first.result if first.kind == "done" else None
        async with cancel_on_disconnect(request.receive, cancel):
            async for event in events:
                if event.kind == "done":
                    result = event.result
        return Response(builder.response(result, "completed"))
