"""Embeddings from any OpenAI-compatible `/v1/embeddings` (Ollama, vLLM, TEI, llama.cpp server).

Texts go in batches, several batches in flight at once (within a limit), and a batch that
meets a 5xx, a timeout or a dropped connection is retried with exponential backoff. embed()
returns every vector or raises: a failed batch fails the whole call, so ingestion writes
nothing of the documents it was embedding. The dimension is learned from the first answer
and every later vector must match it (a model swapped behind the URL is an error, not a mix).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx
import numpy as np

from localchat.errors import ConfigError, EmbeddingMismatchError, UpstreamError
from localchat.generation.upstream import normalise_base_url

if TYPE_CHECKING:
    from localchat.config import Settings

CHARS_PER_TOKEN = 4  # the remote tokenizer is not visible; the usual English average
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class UpstreamEmbedder:
    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        *,
        batch: int = 64,
        concurrency: int = 4,
        retries: int = 3,
        timeout_s: float = 30.0,
        backoff_s: float = 0.5,
        max_tokens: int = 512,
        dim: int = 0,
    ) -> None:
        if not model:
            raise ConfigError(
                "models.embedding_upstream_model is empty",
                hint="set it to the embedding model the server serves (e.g. nomic-embed-text)",
                param="embedding_upstream_model",
            )
        self.base_url = normalise_base_url(base_url)
        self._model = model
        self._batch = max(1, batch)
        self._retries = max(0, retries)
        self._backoff_s = backoff_s
        self._max_tokens = max_tokens
        self._dim = dim
        self._dim_lock = threading.Lock()
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        limits = httpx.Limits(max_connections=max(1, concurrency))
        self._client = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout_s, limits=limits
        )
        self._pool = ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="upstream-embed")

    @classmethod
    def from_settings(
        cls, settings: Settings, *, base_url: str = "", model: str = ""
    ) -> UpstreamEmbedder:
        m = settings.models
        return cls(
            base_url or m.embedding_base_url,
            model or m.embedding_upstream_model,
            m.embedding_api_key,
            batch=m.embedding_batch,
            concurrency=m.embedding_concurrency,
            retries=m.embedding_retries,
            timeout_s=m.embedding_timeout_s,
        )

    # -- Embedder protocol ------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        # Vectors record this: the same model name behind another URL makes the same vectors.
        return f"upstream:{self._model}"

    @property
    def dim(self) -> int:
        if not self._dim:
            self.embed(["dimension probe"])
        return self._dim

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def count_tokens(self, text: str) -> int:
        return math.ceil(len(text) / CHARS_PER_TOKEN) + 2

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim or 1), dtype=np.float32)
        limit = self._max_tokens * CHARS_PER_TOKEN
        cut = [text[:limit] for text in texts]
        batches = [cut[i : i + self._batch] for i in range(0, len(cut), self._batch)]
        parts = list(self._pool.map(self._embed_batch, batches))
        return np.vstack(parts)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    # -- one request ------------------------------------------------------------------------

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        payload = {"model": self._model, "input": texts, "encoding_format": "float"}
        for attempt in range(self._retries + 1):
            last = attempt == self._retries
            try:
                response = self._client.post("/embeddings", json=payload)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if last:
                    raise UpstreamError(
                        f"the embedding server at {self.base_url} did not answer "
                        f"after {attempt + 1} tries ({exc.__class__.__name__})",
                        hint="check that it runs and is not overloaded; "
                        "raise models.embedding_timeout_s for a slow server",
                    ) from None
            else:
                if response.status_code < 400:
                    return self._vectors(response, len(texts))
                if response.status_code not in RETRY_STATUSES or last:
                    raise _status_error(response, self.base_url, self._model, attempt + 1)
            time.sleep(self._backoff_s * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _vectors(self, response: httpx.Response, expected: int) -> np.ndarray:
        try:
            data = sorted(response.json()["data"], key=lambda item: item.get("index", 0))
            matrix = np.asarray([item["embedding"] for item in data], dtype=np.float32)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise EmbeddingMismatchError(
                f"the embedding server at {self.base_url} sent no OpenAI embeddings list",
                hint="check that models.embedding_base_url points at an OpenAI-compatible /v1",
            ) from None
        if matrix.ndim != 2 or matrix.shape[0] != expected:
            raise EmbeddingMismatchError(
                f"the embedding server at {self.base_url} sent {len(data)} vectors "
                f"for {expected} texts",
                hint="check the server's logs; nothing of this batch was written",
            )
        self._check_dim(matrix.shape[1])
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)

    def _check_dim(self, dim: int) -> None:
        with self._dim_lock:
            if not self._dim:
                self._dim = dim
                return
        if dim != self._dim:
            raise EmbeddingMismatchError(
                f"the embedding server at {self.base_url} sent {dim}-dimensional vectors; "
                f"{self._model} made {self._dim}-dimensional ones before",
                hint="a different model now answers at this URL: restore it, or choose the "
                "new one with `localchat models use NAME` (re-embeds into a new vector set)",
            )


def _status_error(response: httpx.Response, base_url: str, model: str, tries: int) -> UpstreamError:
    detail = response.text[:300].strip() or response.reason_phrase
    status = response.status_code
    if status in (401, 403):
        hint = "set models.embedding_api_key to a key this server accepts"
    elif status == 404:
        hint = f"check models.embedding_upstream_model ({model!r}) and that the URL ends in /v1"
    elif status < 500:
        hint = "check models.embedding_upstream_model and the server's documentation"
    else:
        hint = f"the server kept failing ({tries} tries); check its logs"
    return UpstreamError(
        f"the embedding server at {base_url} answered HTTP {status}: {detail}", hint=hint
    )
