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
from server.catalog import canonical, check_embedding_model
from server.deps import ModelsDep, ResourcesDep, SettingsDep, needs
from server.limits import check_input_count

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


def embedding_inputs(raw: str | list) -> list[str] | list[list[int]]:
    """The inputs as texts, or as token-id lists: one string, strings, one id array, id arrays."""
    if isinstance(raw, str):
        return [raw]
    if all(isinstance(item, str) for item in raw):
        return list(raw)
    if all(isinstance(item, int) for item in raw):
        return [list(raw)]
    if all(isinstance(item, list) and item for item in raw):
        return [list(item) for item in raw]
    raise InvalidRequestError(
        "input mixes texts, token ids and token-id arrays (or holds an empty array)",
        hint="send a string, a list of strings, a list of token ids, or a list of such lists",
        param="input",
    )


def check_token_ids(inputs: list[list[int]], embedder) -> list[list[int]]:
    """Token ids are the embedding model's own vocabulary (as llama.cpp's and vLLM's servers
    take them); cut at its token limit like text is."""
    vocab = getattr(embedder, "vocab_size", None)
    if vocab is None or not hasattr(embedder, "embed_tokens"):
        raise InvalidRequestError(
            "this embedding model does not take token ids",
            hint="send the input as text",
            param="input",
        )
    for index, ids in enumerate(inputs):
        if any(not 0 <= token < vocab for token in ids):
            raise InvalidRequestError(
                f"input[{index}] holds a token id outside the vocabulary (0 to {vocab - 1})",
                hint="token ids must come from the embedding model's own tokenizer, or send text",
                param=f"input[{index}]",
            )
    return [ids[: embedder.max_tokens] for ids in inputs]


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
    dependencies = needs("models", "resources", "settings")

    @post("/", status_code=200)
    async def create(
        self,
        data: JSONBody[EmbeddingRequest],
        request: Request,
        models: ModelsDep,
        resources: ResourcesDep,
        settings: SettingsDep,
    ) -> EmbeddingList:
        embedder = resources.embedder
        model = canonical(data.model, models.aliases)
        others = await models.chat_names()
        check_embedding_model(model, models.generator_id(), embedder.model_id, others)
        inputs = embedding_inputs(data.input)
        check_input_count(len(inputs), settings)
        cancel = threading.Event()
        if isinstance(inputs[0], str):
            check_inputs(inputs, data.dimensions, embedder.dim)
            async with cancel_on_disconnect(request.receive, cancel):
                vectors, tokens = await anyio.to_thread.run_sync(
                    embed_batches, embedder, inputs, cancel
                )
        else:
            check_inputs([], data.dimensions, embedder.dim)
            ids = check_token_ids(inputs, embedder)
            vectors = await anyio.to_thread.run_sync(embedder.embed_tokens, ids)
            tokens = sum(len(i) for i in ids)
        return EmbeddingList(
            data=[
                Embedding(index=i, embedding=encode(v, data.encoding_format))
                for i, v in enumerate(vectors)
            ],
            model=data.model,
            usage=EmbeddingUsage(prompt_tokens=tokens, total_tokens=tokens),
        )
