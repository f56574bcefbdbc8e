"""The one chat orchestrator: retrieve → evidence → answer (quoted or generated and checked)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import msgspec

from localchat.answer.modes import resolve_mode
from localchat.answer.vectors import SentenceVectors
from localchat.answer.verify import VERIFICATION
from localchat.cache.keys import answer_key
from localchat.chat.budget import plan_prompt
from localchat.chat.citations import StreamingCitationFilter
from localchat.chat.entries import explain_entry, hit_to_source
from localchat.chat.evidence_answer import evidence_events
from localchat.chat.fingerprint import decoding_fingerprint, decoding_parts
from localchat.chat.markup import without_markup
from localchat.chat.prompt import NO_SOURCES_ANSWER, SYSTEM_PROMPT
from localchat.chat.results import ChatEvent, ChatRequest, ChatResult, replay
from localchat.chat.retrieve import retrieve
from localchat.chat.timing import timed
from localchat.chat.verbatim import VerbatimText
from localchat.errors import ContextOverflowError, InvalidRequestError
from localchat.generation.base import ChatMessage, Delta, GenerationParams, Usage
from localchat.retrieval.retriever import Retrieval
from localchat.retrieval.rewrite import retrieval_query

__all__ = [
    "ChatEvent", "ChatRequest", "ChatResult", "ChatService", "explain_entry", "hit_to_source",
    "replay",
]  # fmt: skip


class ChatService:
    """Stateless between calls; the runtime owns the models, store and index."""

    def __init__(self, runtime, system_prompt: str = SYSTEM_PROMPT) -> None:
        self.runtime = runtime
        self.system_prompt = system_prompt
        self.vectors = SentenceVectors(runtime.embedder)
        models, rag = runtime.settings.models, runtime.settings.rag
        # Goes into every answer key, so a change to how answers are made misses old ones.
        self.decoding = decoding_fingerprint(
            decoding_parts(models.context_tokens, rag.max_source_tokens)
        )

    def answer(self, request: ChatRequest, cancel: threading.Event | None = None) -> ChatResult:
        result = None
        for event in self.stream(request, cancel):
            if event.kind == "done":
                result = event.result
        assert result is not None
        return result

    def stream(
        self, request: ChatRequest, cancel: threading.Event | None = None
    ) -> Iterator[ChatEvent]:
        """Events of a cached answer (replayed) or of a fresh one (stored when complete)."""
        split_messages(request.messages)  # a bad request fails before the cache is asked
        self.mode(request)  # so does an unknown answer mode
        if request.preset is not None:  # and an unknown collection ("Papers" is "papers")
            collection = self.runtime.store.resolve_collection(request.collection)
            request = msgspec.structs.replace(request, collection=collection)
        # One generator for the whole answer: a model switch meanwhile affects the next one.
        with self._lease(request.model) as generator:
            events = self._answer(request, generator, cancel)
            first = next(events, None)
            if first is not None:
                yield msgspec.structs.replace(first, model=generator.model_id)
                yield from events

    def _lease(self, model: str | None):
        generators = getattr(self.runtime, "generators", None)
        if generators is None:  # a bare runtime (tests) without a pool
            return contextlib.nullcontext(self.runtime.generator)
        return generators.lease(model)

    def _answer(self, request: ChatRequest, generator, cancel) -> Iterator[ChatEvent]:
        cache = getattr(self.runtime, "cache", None)
        ticket = None
        if cache is not None:
            parts = self.key_parts(request, generator)
            ticket = cache.answer_ticket(parts, use_cache=request.use_cache)
        if ticket is not None and (hit := cache.lookup_answer(ticket)) is not None:
            result = msgspec.msgpack.decode(hit.value, type=ChatResult)
            result.cache, result.retrieval_ms = hit.tier, 0.0  # nothing was retrieved now
            yield from replay(result, with_sources=request.preset is not None)
            return
        for event in self._fresh(request, cancel, generator):
            done = event.kind == "done" and event.result.finish_reason != "cancelled"
            if done and ticket is not None:  # a cancelled answer is partial: never cached
                cache.store_answer(ticket, msgspec.msgpack.encode(event.result))
            yield event

    def key_parts(self, request: ChatRequest, generator=None):
        """Everything the answer depends on (the decoding fingerprint included), but the
        corpus version (the cache adds that)."""
        runtime = self.runtime
        generator = generator or runtime.generator
        rag_settings = runtime.settings.rag
        rag = None if request.preset is None else runtime.params(preset_or_none(request.preset))
        return answer_key(
            request.messages,
            request.params,
            system_prompt=self.system_prompt,
            generator=generator.model_id,
            embedder=runtime.embedder.model_id,
            preset=request.preset,
            rag=rag,
            candidates=runtime.retriever.candidates,
            rrf_k=runtime.retriever.rrf_k,
            answer_mode=self.mode(request) if rag is not None else "",
            verification=(*VERIFICATION, rag_settings.decline_score, rag_settings.decline_coverage),
            decoding=self.decoding,
            collection=request.collection if rag is not None else "",
        )

    def mode(self, request: ChatRequest) -> str:
        """The concrete answer mode of a RAG request ("passages" when it must stay verbatim)."""
        if request.verbatim:
            return "passages"
        settings = self.runtime.settings
        return resolve_mode(request.answer_mode, settings.rag.answer_mode, settings.models)

    def _fresh(
        self, request: ChatRequest, cancel: threading.Event | None, generator
    ) -> Iterator[ChatEvent]:
        question, history, extra_system = split_messages(request.messages)
        if request.preset is None:
            yield from self._plain(request, cancel, generator)
            return
        retrieval = self.retrieve(
            retrieval_query(history, question),
            request.preset,
            use_cache=request.use_cache,
            collection=request.collection,
        )
        pairs = [(hit_to_source(n, hit), hit) for n, hit in enumerate(retrieval.hits, start=1)]
        if not pairs and not request.params.json_schema:  # JSON mode must still answer JSON
            yield ChatEvent("sources", sources=[])
            yield ChatEvent("delta", text=NO_SOURCES_ANSWER)
            yield ChatEvent(
                "done",
                result=ChatResult(
                    content=NO_SOURCES_ANSWER,
                    finish_reason="stop",
                    sources=[],
                    annotations=[],
                    retrieval_ms=retrieval.timings_ms.get("total_ms", 0.0),
                    answer_mode=self.mode(request),
                    declined=True,
                ),
            )
            return
        if request.params.max_tokens >= generator.context_tokens:
            # Never satisfiable; below that, plan_prompt lowers max_tokens to the room left.
            raise ContextOverflowError(
                f"max_tokens {request.params.max_tokens} is not below the model's context of "
                f"{generator.context_tokens} tokens",
                hint="lower max_tokens (or leave it out)",
                param="max_tokens",
            )
        mode = self.mode(request)
        took = retrieval.timings_ms.get("total_ms", 0.0)
        if mode != "passages":
            yield from evidence_events(
                self, generator, request, mode, (question, extra_system), pairs, took, cancel
            )
            return
        asked = (question, history, extra_system)
        yield from self._passages(request, generator, asked, pairs, took, cancel)

    def _passages(self, request, generator, asked, pairs, took, cancel):
        """Whole passages to the model, its text kept as written (markers cleaned)."""
        question, history, extra_system = asked
        system = self.system_prompt + (f"\n\n{extra_system}" if extra_system else "")
        plan = plan_prompt(
            generator,
            system,
            history,
            question,
            [s for s, _ in pairs],
            request.params.max_tokens,
            source_tokens=self.runtime.settings.rag.max_source_tokens,
        )
        used, dropped = plan.used, plan.dropped
        params = msgspec.structs.replace(request.params, max_tokens=plan.max_answer_tokens)
        hits = {s.chunk_id: h for s, h in pairs}
        entries = [explain_entry(s, hits[s.chunk_id]) for s in used]
        yield ChatEvent("sources", sources=entries)
        # Structured output is returned as generated (citation rewriting would break JSON).
        verbatim = bool(request.params.json_schema)
        citations = VerbatimText(used) if verbatim else StreamingCitationFilter(used)
        usage, finish = Usage(0, 0), "stop"
        sources = [s.text for s in used]
        for delta in self._generate(generator, plan.messages, params, cancel, sources):
            if text := citations.feed(delta.text):
                yield ChatEvent("delta", text=text)
            if delta.finish_reason is not None:
                finish, usage = delta.finish_reason, delta.usage or usage
        rest, cited = citations.finish()
        if rest:
            yield ChatEvent("delta", text=rest)
        yield ChatEvent(
            "done",
            result=ChatResult(
                content=cited.text,
                finish_reason=finish,
                sources=entries,
                annotations=cited.annotations,
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                sources_used=len(used),
                sources_dropped=len(dropped),
                invalid_markers=cited.invalid_markers,
                retrieval_ms=took,
                document_ids=sorted({s.document_id for s in used}),
                answer_mode="passages",
            ),
        )

    def retrieve(
        self, query: str, preset: str, *, use_cache: bool = True, collection: str = "default"
    ) -> Retrieval:
        params = self.runtime.params(preset_or_none(preset))
        return retrieve(self.runtime, query, params, use_cache=use_cache, collection=collection)

    def _plain(self, request: ChatRequest, cancel, generator) -> Iterator[ChatEvent]:
        usage, finish, parts = Usage(0, 0), "stop", []
        for delta in self._generate(generator, request.messages, request.params, cancel):
            if delta.text:
                parts.append(delta.text)
                yield ChatEvent("delta", text=delta.text)
            if delta.finish_reason is not None:
                finish, usage = delta.finish_reason, delta.usage or usage
        yield ChatEvent(
            "done",
            result=ChatResult(
                content="".join(parts),
                finish_reason=finish,
                sources=[],
                annotations=[],
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
            ),
        )

    def _generate(self, generator, messages, params: GenerationParams, cancel, sources=()):
        deltas = generator.stream(messages, params, cancel)
        if not params.json_schema:  # JSON is returned as generated (a tag may hold quotes)
            deltas = without_markup(deltas, sources)
        yield from timed(deltas, self.runtime.telemetry)

    def complete(
        self, prompt: str, params: GenerationParams, model: str | None, cancel=None
    ) -> Iterator[Delta]:
        """A raw text completion (POST /v1/completions): no retrieval, no cache; the model
        is leased to the last token and timed like every answer."""
        with self._lease(model) as generator:
            yield from timed(generator.complete(prompt, params, cancel), self.runtime.telemetry)


def preset_or_none(preset: str) -> str | None:
    """ "active" means the configured preset with its overrides."""
    return None if preset == "active" else preset


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[ChatMessage], str]:
    """(last user question, prior user/assistant turns, the client's system text)."""
    if not messages:
        raise InvalidRequestError(
            "messages is empty", hint="send at least one user message", param="messages"
        )
    if messages[-1].role != "user":
        raise InvalidRequestError(
            f"the last message has role {messages[-1].role!r}; it must be the user's question",
            hint="end messages with a {'role': 'user'} message",
            param="messages",
        )
    question = messages[-1].content
    if not question.strip():
        raise InvalidRequestError(
            "the last user message is empty", hint="ask a question", param="messages"
        )
    system = "\n".join(m.content for m in messages[:-1] if m.role in ("system", "developer"))
    history = [m for m in messages[:-1] if m.role in ("user", "assistant")]
    return question, history, system
