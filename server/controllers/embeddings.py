"""POST /v1/embeddings: OpenAI embeddings from the local embedding model."""

from __future__ import annotations

import base64

import anyio.to_thread
import numpy as np
from litestar import Controller, post
from litestar.params import JSONBody

from localchat.errors import InvalidRequestError
from localchat.wire.openai import Embedding, EmbeddingList, EmbeddingRequest, EmbeddingUsage
from server.catalog import check_embedding_model
from server.state import Core


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


class EmbeddingsController(Controller):
    path = "/v1/embeddings"

    @post("/", status_code=200)
    async def create(self, data: JSONBody[EmbeddingRequest], core: Core) -> EmbeddingList:
        embedder = core.runtime.embedder
        others = await core.chat_names()
        check_embedding_model(data.model, core.generator_id(), embedder.model_id, others)
        texts = [data.input] if isinstance(data.input, str) else list(data.input)
        check_inputs(texts, data.dimensions, embedder.dim)

        def run() -> tuple[np.ndarray, int]:
            tokens = sum(min(embedder.count_tokens(t), embedder.max_tokens) for t in texts)
            return embedder.embed(texts), tokens

        vectors, tokens = await anyio.to_thread.run_sync(run)
        return EmbeddingList(
            data=[
                Embedding(index=i, embedding=encode(v, data.encoding_format))
                for i, v in enumerate(vectors)
            ],
            model=data.model,
            usage=EmbeddingUsage(prompt_tokens=tokens, total_tokens=tokens),
        )
