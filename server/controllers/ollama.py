"""The Ollama-compatible API (/api/tags, /api/version, /api/show, /api/chat, /api/generate,
/api/embed, /api/embeddings) on the same services as /v1, so tools that only speak Ollama work.

These share the /api/ prefix with LocalChat's own routes (documents, jobs, search, config,
health); the names do not overlap (docs/api.md lists the split).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib.metadata import version
from typing import NamedTuple

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody
from litestar.response import Stream

from localchat.chat.service import ChatEvent, ChatRequest, ChatResult, ChatService
from localchat.config import Settings
from localchat.errors import InvalidRequestError, ToolsUnsupportedError
from localchat.generation.base import ChatMessage
from localchat.modelfiles.names import listed_names
from localchat.resources import Resources
from localchat.wire.ollama import (
    ChatLine,
    EmbeddingsResponse,
    EmbedResponse,
    GenerateLine,
    ModelDetails,
    OllamaChatRequest,
    OllamaEmbeddingsRequest,
    OllamaEmbedRequest,
    OllamaGenerateRequest,
    ReplyMessage,
    ShowRequest,
    ShowResponse,
    TagList,
    TagModel,
    params_from,
)
from server.answer_model import AnswerModel
from server.bridge import ChatThreads, cancel_on_disconnect
from server.catalog import canonical, chat_collection, check_embedding_model, resolve_chat
from server.deps import ChatDep, ModelsDep, ResourcesDep, SettingsDep, ThreadsDep, needs
from server.errors import envelope, to_localchat_error

NDJSON = "application/x-ndjson"
_encoder = msgspec.json.Encoder()


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def details_for(name: str, generator) -> ModelDetails:
    kind = "localchat (retrieval + " if name != generator.model_id else ""
    family = f"{kind}{generator.model_id})" if kind else generator.model_id
    return ModelDetails(family=family, quantization_level=generator.model_id.rsplit(".", 1)[-1])


def tag(name: str, generator, started_at: int) -> TagModel:
    path = getattr(generator, "path", None)
    return TagModel(
        name=name,
        model=name,
        modified_at=datetime.fromtimestamp(started_at, UTC).isoformat(),
        size=path.stat().st_size if path is not None else 0,
        # An identifier of the name, not of a blob: LocalChat has no Ollama blob store.
        digest=hashlib.sha256(name.encode()).hexdigest(),
        details=details_for(name, generator),
    )


def line(payload: msgspec.Struct | dict) -> bytes:
    return _encoder.encode(payload) + b"\n"


class OllamaController(Controller):
    path = "/api"
    dependencies = needs("models", "chat", "threads", "settings", "resources")
    include_in_schema = False  # Ollama's API, not LocalChat's own (see openapi_config)

    @get("/version")
    async def api_version(self) -> dict[str, str]:
        return {"version": version("localchat")}

    @get("/tags")
    async def list_tags(self, models: ModelsDep, resources: ResourcesDep) -> TagList:
        generator = await models.generator()
        others = await models.chat_names()
        collections = resources.store.collection_names()
        names = [*listed_names(generator.model_id, others, collections), *models.aliases]
        return TagList(models=[tag(n, generator, models.started_at) for n in dict.fromkeys(names)])

    @post("/show", status_code=200)
    async def show_model(self, data: JSONBody[ShowRequest], models: ModelsDep) -> ShowResponse:
        generator = await models.generator()
        name = data.model or data.name
        ref = resolve_chat(
            canonical(name, models.aliases), generator.model_id, await models.chat_names()
        )
        preset = ref.preset
        retrieval = "no retrieval" if preset is None else f"retrieval preset {preset}"
        return ShowResponse(
            modelfile=f"# LocalChat model {name}: {generator.model_id} with {retrieval}\n",
            parameters="",
            template="",
            details=details_for(canonical(name, models.aliases), generator),
            model_info={"general.architecture": "localchat", "localchat.preset": preset},
            capabilities=["completion"],
            modified_at=datetime.fromtimestamp(models.started_at, UTC).isoformat(),
        )

    @post("/chat", status_code=200)
    async def ollama_chat(
        self,
        data: JSONBody[OllamaChatRequest],
        request: Request,
        models: ModelsDep,
        chat: ChatDep,
        threads: ThreadsDep,
        settings: SettingsDep,
    ) -> Response | Stream:
        if data.tools:
            raise ToolsUnsupportedError(
                "tool calls are not supported by LocalChat's answer models",
                hint="leave out tools",
                param="tools",
            )
        messages = [ChatMessage(m.role, m.content) for m in data.messages]
        if not messages:  # Ollama answers an empty chat by loading the model
            await models.generator()
            return Response(ChatLine(data.model, now(), ReplyMessage(""), True, done_reason="load"))
        answering = Answering(models, chat, threads, settings)
        return await _answer(answering, request, data.model, messages, data, ChatLine, data.stream)

    @post("/generate", status_code=200)
    async def ollama_generate(
        self,
        data: JSONBody[OllamaGenerateRequest],
        request: Request,
        models: ModelsDep,
        chat: ChatDep,
        threads: ThreadsDep,
        settings: SettingsDep,
    ) -> Response | Stream:
        if not data.prompt:
            await models.generator()
            return Response(GenerateLine(data.model, now(), "", True, done_reason="load"))
        messages = [ChatMessage("system", data.system)] if data.system else []
        messages.append(ChatMessage("user", data.prompt))
        answering = Answering(models, chat, threads, settings)
        return await _answer(
            answering, request, data.model, messages, data, GenerateLine, data.stream
        )

    @post("/embed", status_code=200)
    async def ollama_embed(
        self, data: JSONBody[OllamaEmbedRequest], models: ModelsDep, resources: ResourcesDep
    ) -> EmbedResponse:
        texts = [data.input] if isinstance(data.input, str) else list(data.input)
        vectors, tokens = await _embed(models, resources, data.model, texts)
        return EmbedResponse(model=data.model, embeddings=vectors, prompt_eval_count=tokens)

    @post("/embeddings", status_code=200)
    async def ollama_embeddings(
        self, data: JSONBody[OllamaEmbeddingsRequest], models: ModelsDep, resources: ResourcesDep
    ) -> EmbeddingsResponse:
        vectors, _ = await _embed(models, resources, data.model, [data.prompt])
        return EmbeddingsResponse(embedding=vectors[0])


async def _embed(
    models: AnswerModel, resources: Resources, model: str, texts: list[str]
) -> tuple[list, int]:
    embedder = resources.embedder
    others = await models.chat_names()
    name = canonical(model, models.aliases)
    check_embedding_model(name, models.generator_id(), embedder.model_id, others)
    for index, text in enumerate(texts):
        if not text.strip():
            raise InvalidRequestError(
                f"input[{index}] is empty", hint="send non-empty text", param="input"
            )

    def run():
        tokens = sum(min(embedder.count_tokens(t), embedder.max_tokens) for t in texts)
        return [[float(x) for x in v] for v in embedder.embed(texts)], tokens

    return await anyio.to_thread.run_sync(run)


class Answering(NamedTuple):
    """What an Ollama chat or generate request needs."""

    models: AnswerModel
    chat: ChatService
    threads: ChatThreads
    settings: Settings


async def _answer(parts: Answering, request: Request, model, messages, data, kind, stream):
    models, settings = parts.models, parts.settings
    generator = await models.generator()
    params = params_from(data.options, data.format, settings.models.max_answer_tokens)
    check = getattr(generator, "check_json_schema", None)
    if params.json_schema and check is not None:
        check(params.json_schema)
    names = await models.chat_names()
    ref = resolve_chat(canonical(model, models.aliases), generator.model_id, names)
    chat_request = ChatRequest(
        messages=messages,
        params=params,
        preset=ref.preset,
        verbatim=bool(params.json_schema),
        model=ref.model,
        collection=chat_collection(ref, data.collection, parts.chat.runtime.store),
    )
    cancel = threading.Event()
    events = parts.threads.answer(parts.chat, chat_request, cancel)
    started = time.perf_counter_ns()
    async with cancel_on_disconnect(request.receive, cancel):
        first = await anext(events)  # a bad request still answers with its own status
    if stream:
        return Stream(_lines(kind, model, first, events, started), media_type=NDJSON)
    result = first.result if first.kind == "done" else None
    async with cancel_on_disconnect(request.receive, cancel):
        async for event in events:
            if event.kind == "done":
                result = event.result
    return Response(_final(kind, model, result, result.content, started))


def _piece(kind, model: str, text: str):
    if kind is ChatLine:
        return ChatLine(model, now(), ReplyMessage(text), False)
    return GenerateLine(model, now(), text, False)


def _final(kind, model: str, result: ChatResult, text: str, started: int):
    extra = {
        "done_reason": "length" if result.finish_reason == "length" else "stop",
        "total_duration": time.perf_counter_ns() - started,
        "prompt_eval_count": result.prompt_tokens,
        "eval_count": result.completion_tokens,
        "sources": result.sources,
    }
    if kind is ChatLine:
        return ChatLine(model, now(), ReplyMessage(text), True, **extra)
    return GenerateLine(model, now(), text, True, **extra)


async def _lines(
    kind, model: str, first: ChatEvent, rest: AsyncIterator[ChatEvent], started: int
) -> AsyncIterator[bytes]:
    event: ChatEvent | None = first
    try:
        while event is not None:
            if event.kind == "delta" and event.text:
                yield line(_piece(kind, model, event.text))
            elif event.kind == "done":
                yield line(_final(kind, model, event.result, "", started))
            event = await anext(rest, None)
    except Exception as exc:  # the 200 is sent: the error travels as a last line
        yield envelope(to_localchat_error(exc)) + b"\n"
