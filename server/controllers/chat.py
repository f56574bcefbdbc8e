"""POST /v1/chat/completions: translate, hand to ChatService, render (whole or streamed)."""

from __future__ import annotations

import threading

from litestar import Controller, Request, Response, post
from litestar.params import JSONBody
from litestar.response import Stream

from localchat.chat.service import ChatRequest, ChatResult
from localchat.errors import GenerationError
from localchat.wire.chat import ChatCompletionRequest, generation_params, to_chat_messages
from localchat.wire.features import check_features, wants_tools
from server.bridge import cancel_on_disconnect
from server.catalog import canonical, chat_collection, resolve_chat
from server.deps import ChatDep, ModelsDep, SettingsDep, ThreadsDep, needs
from server.limits import check_message_count
from server.relay import relay_tool_request
from server.render import ChatRenderer, cache_tier

CACHE_HEADER = "X-LocalChat-Cache"
MODEL_HEADER = "X-LocalChat-Model"  # the chat model that answered (it keeps the whole answer)


def wants_fresh(request: Request) -> bool:
    """`Cache-Control: no-cache` (or no-store) asks for an answer not served from cache."""
    value = request.headers.get("cache-control", "").lower()
    return "no-cache" in value or "no-store" in value


class ChatController(Controller):
    path = "/v1/chat/completions"
    dependencies = needs("models", "chat", "threads", "settings")

    @post("/", status_code=200)
    async def create(
        self,
        data: JSONBody[ChatCompletionRequest],
        request: Request,
        models: ModelsDep,
        chat: ChatDep,
        threads: ThreadsDep,
        settings: SettingsDep,
    ) -> Response | Stream:
        check_message_count(len(data.messages), settings)
        generator = await models.generator()
        relays = hasattr(generator, "relay")
        check_features(data, tools=relays)
        if relays and wants_tools(data):
            return await relay_tool_request(threads, generator, request, data.stream)
        name = canonical(data.model, models.aliases)
        ref = resolve_chat(name, generator.model_id, await models.chat_names())
        params = generation_params(data, settings.models.max_answer_tokens)
        check_json_schema(generator, params.json_schema)
        chat_request = ChatRequest(
            messages=to_chat_messages(data.messages),
            params=params,
            preset=ref.preset,
            use_cache=not wants_fresh(request),
            answer_mode=data.answer_mode,
            # Structured output must come out as the model wrote it (tool requests were
            # relayed or refused above).
            verbatim=bool(params.json_schema),
            model=ref.model,
            collection=chat_collection(ref, data.collection, chat.runtime.store),
        )
        cancel = threading.Event()
        events = threads.answer(chat, chat_request, cancel)
        include_usage = bool(data.stream_options and data.stream_options.include_usage)
        renderer = ChatRenderer(data.model, include_usage=include_usage)
        if data.stream:
            # The first event comes before the response starts, so a bad request or an
            # unavailable model still answers with its own status instead of a broken stream.
            async with cancel_on_disconnect(request.receive, cancel):
                first = await anext(events)
            headers = {CACHE_HEADER: cache_tier(first), "Cache-Control": "no-cache"}
            return Stream(
                renderer.stream(first, events),
                media_type="text/event-stream",
                headers=headers | {MODEL_HEADER: first.model},
            )
        async with cancel_on_disconnect(request.receive, cancel):
            result, model = await _result(events)
        headers = {CACHE_HEADER: result.cache, MODEL_HEADER: model}
        return Response(renderer.completion(result), headers=headers)


def check_json_schema(generator, json_schema: str) -> None:
    """A schema the local model's grammar cannot express is a 400 before anything starts."""
    check = getattr(generator, "check_json_schema", None)
    if json_schema and check is not None:
        check(json_schema)


async def _result(events) -> tuple[ChatResult, str]:
    result, model = None, ""
    async for event in events:
        model = model or event.model
        if event.kind == "done":
            result = event.result
    if result is None:
        raise GenerationError("the answer ended without a result", hint="retry the request")
    return result, model
