"""POST /v1/completions: legacy raw text completion (editor autocomplete), no retrieval."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import AsyncIterator

from litestar import Controller, Request, Response, post
from litestar.params import JSONBody
from litestar.response import Stream

from localchat.generation.base import Delta, GenerationParams, Usage
from localchat.wire.chat import CompletionUsage, stop_sequences, wire_finish
from localchat.wire.openai import CompletionChoice, CompletionRequest, TextCompletion
from server.bridge import cancel_on_disconnect
from server.catalog import canonical, resolve_chat
from server.deps import ChatDep, ModelsDep, ThreadsDep, needs
from server.errors import envelope, to_localchat_error
from server.render import DONE, sse

DEFAULT_MAX_TOKENS = 16  # OpenAI's default for this endpoint: autocomplete wants short


def params_of(data: CompletionRequest) -> GenerationParams:
    defaults = GenerationParams()
    return GenerationParams(
        max_tokens=data.max_tokens or DEFAULT_MAX_TOKENS,
        temperature=defaults.temperature if data.temperature is None else data.temperature,
        top_p=defaults.top_p if data.top_p is None else data.top_p,
        stop=stop_sequences(data.stop),
        seed=data.seed,
    )


class CompletionsController(Controller):
    path = "/v1/completions"
    dependencies = needs("chat", "models", "threads")

    @post("/", status_code=200)
    async def create(
        self,
        data: JSONBody[CompletionRequest],
        request: Request,
        chat: ChatDep,
        models: ModelsDep,
        threads: ThreadsDep,
    ) -> Response | Stream:
        generator = await models.generator()
        # Any chat model name; never retrieval. `...@model` or a bare name picks the model.
        name = canonical(data.model, models.aliases)
        ref = resolve_chat(name, generator.model_id, await models.chat_names())
        prompt = data.prompt if isinstance(data.prompt, str) else data.prompt[0]
        cancel = threading.Event()
        params = params_of(data)
        deltas = threads.iterate(lambda: chat.complete(prompt, params, ref.model, cancel), cancel)
        base = {"id": f"cmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": data.model}
        if data.stream:
            first = await anext(deltas)  # errors before any text keep their own status
            return Stream(
                _stream(base, first, deltas),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache"},
            )
        parts, finish, usage = [], "stop", Usage(0, 0)
        async with cancel_on_disconnect(request.receive, cancel):
            async for delta in deltas:
                parts.append(delta.text)
                if delta.finish_reason is not None:
                    finish, usage = delta.finish_reason, delta.usage or usage
        return Response(
            TextCompletion(
                **base,
                choices=[CompletionChoice(text="".join(parts), finish_reason=wire_finish(finish))],
                usage=CompletionUsage(
                    usage.prompt_tokens, usage.completion_tokens, usage.total_tokens
                ),
            )
        )


async def _stream(base: dict, first: Delta, rest: AsyncIterator[Delta]) -> AsyncIterator[bytes]:
    delta: Delta | None = first
    try:
        while delta is not None:
            finish = wire_finish(delta.finish_reason) if delta.finish_reason else None
            if delta.text or finish:
                yield sse(
                    TextCompletion(
                        **base, choices=[CompletionChoice(text=delta.text, finish_reason=finish)]
                    )
                )
            delta = await anext(rest, None)
    except Exception as exc:  # the 200 is sent: the error travels in the stream
        yield sse(envelope(to_localchat_error(exc)))
    yield DONE
