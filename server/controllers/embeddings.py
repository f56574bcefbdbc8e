"""POST /v1/embeddings: OpenAI embeddings from the local embedding model."""

from __future__ import annotations

import base64
import threading

import anyio.to_thread
import numpy as np
from litestar import Controller, Request, post
from litestar.params import JSONBody

from localchat.errors import InvalidRequestError, ServerUnreachableError
from localchat.wire.openai import Embedding, EmbeddingList, EmbeddingRequest, EmbeddingUsage
from server.bridge import cancel_on_disconnect
from server.catalog import check_embedding_model
from server.limits import check_input_count
from server.state import Core

BATCH = 32  # texts per embed() call; a client that leaves stops the work between batches


def encode(vector: np.ndarray, encoding: str) -> list[float] | str:
    if encoding == "base64":  # what the openai SDK asks for by default: little-endian float32
        return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")
    return [float(x) for x in vector]


def check_inputs(texts: list[str], dimensions: int | None, dim: int) -> None:
    for index, text in enumerate(texts):
        if not text.strip():
            param = "input" if len(texts) == 1 else f"input[{index}]"
            raise InvalidRequestError(f"{param} is empty", hint="send non-empty text", param=param)
    if dimensions is not None and dimensions != dim:
        raise InvalidRequestError(
            f"this embedding model makes {dim}-dimensional vectors, not {dimensions}",
            hint=f"omit dimensions or send {dim}",
            param="dimensions",
        )


def embed_batches(embedder, texts: list[str], cancel: threading.Event) -> tuple[np.ndarray, int]:
    """Vectors and token count for texts, batch by batch until done or the client has left."""
    parts, tokens = [], 0
    for start in range(0, len(texts), BATCH):
        if cancel.is_set():
            raise ServerUnreachableError(
                "the client went away; embedding stopped", hint="keep the connection open"
            )
        batch = texts[start : start + BATCH]
        tokens += sum(min(embedder.count_tokens(t), embedder.max_tokens) for t in batch)
        parts.append(embedder.embed(batch))
    return np.concatenate(parts), tokens


class EmbeddingsController(Controller):
    path = "/v1/embeddings"

    @post("/", status_code=200)
    async def create(
        self, data: JSONBody[EmbeddingRequest], request: Request, core: Core
    ) -> EmbeddingList:
        embedder = core.runtime.embedder
        others = await core.chat_names()
        check_embedding_model(data.model, core.generator_id(), embedder.model_id, others)
        texts = [data.input] if isinstance(data.input, str) else list(data.input)
        check_input_count(len(texts), core.settings)
        check_inputs(texts, data.dimensions, embedder.dim)
        cancel = threading.Event()
        async with cancel_on_disconnect(request.receive, cancel):
            vectors, tokens = await anyio.to_thread.run_sync(embed_batches, embedder, texts, cancel)
        return EmbeddingList(
            data=[
                Embedding(index=i, embedding=encode(v, data.encoding_format))
                for i, v in enumerate(vectors)
            ],
            model=data.model,
            usage=EmbeddingUsage(prompt_tokens=tokens, total_tokens=tokens),
        )
