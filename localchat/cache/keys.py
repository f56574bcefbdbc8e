"""Cache keys: one pure function over a canonical encoding of everything an entry depends on."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Protocol

import msgspec

from localchat import __version__
from localchat.config import RagParams

# Bump when the meaning of a cached value changes without any key part changing.
CACHE_FORMAT = 1


class Message(Protocol):
    """What a key reads of a chat message (generation.base.ChatMessage is one)."""

    role: str
    content: str


class Sampling(Protocol):
    """What a key reads of the generation parameters (generation.base.GenerationParams)."""

    max_tokens: int
    temperature: float
    top_p: float
    stop: Sequence[str]
    seed: int | None
    json_schema: str
    prefill: str


class AnswerKey(msgspec.Struct, frozen=True):
    """Everything a final answer depends on. `corpus_version` None: no retrieval was involved."""

    messages: tuple[tuple[str, str], ...]  # (role, content), the question last
    system_prompt: str
    generator: str
    embedder: str
    preset: str | None
    rag: RagParams | None  # the preset resolved to numbers (overrides included)
    candidates: int
    rrf_k: int
    max_tokens: int
    temperature: float
    top_p: float
    stop: tuple[str, ...]
    seed: int | None
    corpus_version: int | None = None
    decoding: str = ""  # decoding_fingerprint(): prompt builder, sampler and budget code
    answer_mode: str = ""  # extractive / generative / passages ("" without retrieval)
    verification: tuple[float, ...] = ()  # support thresholds of generative answers
    json_schema: str = ""  # structured output: a JSON answer never serves a prose request
    prefill: str = ""  # the assistant text the answer continues
    collection: str = ""  # the collection answered from ("" without retrieval)

    @property
    def question(self) -> str:
        return self.messages[-1][1] if self.messages else ""

    @property
    def sampled(self) -> bool:
        """A random draw: the same request may rightly get a different answer."""
        return self.temperature > 0 and self.seed is None

    def context(self) -> AnswerKey:
        """The same key without the question: what near-duplicate questions must share."""
        return msgspec.structs.replace(self, messages=self.messages[:-1])


class RetrievalKey(msgspec.Struct, frozen=True):
    embedder: str
    query: str
    rag: RagParams
    mode: str
    candidates: int
    rrf_k: int
    corpus_version: int | None = None  # the cache sets it when it makes the ticket
    collection: str = "default"


class EmbeddingKey(msgspec.Struct, frozen=True):
    """A query vector depends on the model and the text only, so it never goes stale."""

    embedder: str
    text: str


def canonical(value: Any) -> bytes:
    """JSON with sorted keys: equal values always encode to equal bytes."""
    return msgspec.json.encode(value, order="sorted")


def cache_key(kind: str, value: Any) -> str:
    """`kind:` + SHA-256 of the kind, the code's version and the canonical value."""
    digest = hashlib.sha256()
    digest.update(f"{kind}\0{CACHE_FORMAT}\0{__version__}\0".encode())
    digest.update(canonical(value))
    return f"{kind}:{digest.hexdigest()}"


def answer_key(
    messages: Sequence[Message],
    params: Sampling,
    *,
    system_prompt: str,
    generator: str,
    embedder: str,
    preset: str | None,
    rag: RagParams | None,
    candidates: int,
    rrf_k: int,
    decoding: str = "",
    answer_mode: str = "",
    verification: tuple[float, ...] = (),
    collection: str = "",
) -> AnswerKey:
    """The AnswerKey of a chat request, numbers normalised (1 == 1.0, -0.0 == 0.0).

    `decoding` is the decoding fingerprint, a value the chat service computes
    (localchat.chat.fingerprint)."""
    return AnswerKey(
        messages=tuple((m.role, m.content) for m in messages),
        system_prompt=system_prompt,
        generator=generator,
        embedder=embedder,
        preset=preset,
        rag=None if rag is None else _normal_rag(rag),
        candidates=int(candidates),
        rrf_k=int(rrf_k),
        max_tokens=int(params.max_tokens),
        temperature=_number(params.temperature),
        top_p=_number(params.top_p),
        stop=tuple(params.stop),
        seed=None if params.seed is None else int(params.seed),
        decoding=decoding,
        answer_mode=answer_mode,
        verification=tuple(_number(v) for v in verification),
        json_schema=params.json_schema,
        prefill=params.prefill,
        collection=collection,
    )


def retrieval_key(
    embedder: str,
    query: str,
    rag: RagParams,
    *,
    mode: str,
    candidates: int,
    rrf_k: int,
    corpus_version: int | None = None,
    collection: str = "default",
) -> RetrievalKey:
    version = None if corpus_version is None else int(corpus_version)
    rag = _normal_rag(rag)
    return RetrievalKey(
        embedder, query, rag, mode, int(candidates), int(rrf_k), version, collection
    )


def _number(value: float) -> float:
    return float(value) + 0.0  # + 0.0 turns -0.0 into 0.0


def _normal_rag(rag: RagParams) -> RagParams:
    return RagParams(
        int(rag.chunk_size), int(rag.chunk_overlap), int(rag.top_k), _number(rag.min_similarity)
    )
