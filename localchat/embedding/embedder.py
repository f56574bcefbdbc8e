"""The Embedder protocol, a deterministic hashing fake for tests, and the factory from settings."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from localchat.config import Settings

WORD = re.compile(r"\w+", re.UNICODE)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of one fixed model.

    `model_id` is stored with every vector so that a model change re-embeds instead of
    mixing vectors from two models in one index.
    """

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), dim), float32, rows of unit length; texts past max_tokens are cut."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text`, special tokens included, before the cut."""
        ...

    def close(self) -> None: ...


class HashEmbedder:
    """Deterministic fake: signed feature hashing of words, word pairs and character trigrams.

    Texts sharing words or spellings share features, so similar texts get similar vectors,
    which is enough for retrieval, cache and index tests without loading a model.
    """

    def __init__(self, dim: int = 384, max_tokens: int = 256) -> None:
        if dim < 8:
            raise ValueError("dim must be at least 8")
        self._dim = dim
        self._max_tokens = max_tokens
        self._slots: dict[str, tuple[int, float]] = {}

    @property
    def model_id(self) -> str:
        return f"hash-embedder-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def count_tokens(self, text: str) -> int:
        return len(WORD.findall(text)) + 2  # + CLS and SEP, as a BERT model counts

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._vector(text)
        return out

    def close(self) -> None:
        self._slots.clear()

    def _vector(self, text: str) -> np.ndarray:
        words = [word.lower() for word in WORD.findall(text)][: self._max_tokens - 2]
        vector = np.zeros(self._dim, dtype=np.float32)
        for feature, weight in _features(words):
            slot, sign = self._slot(feature)
            vector[slot] += sign * weight
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:  # no word at all: one fixed direction, still of unit length
            slot, sign = self._slot("<empty>")
            vector[slot] = sign
            return vector
        return vector / norm

    def _slot(self, feature: str) -> tuple[int, float]:
        cached = self._slots.get(feature)
        if cached is None:
            # blake2b, not hash(): Python salts str hashes per process, tests need stability.
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            number = int.from_bytes(digest, "little")
            cached = (number % self._dim, 1.0 if (number >> 63) & 1 else -1.0)
            if len(self._slots) < 200_000:
                self._slots[feature] = cached
        return cached


def _features(words: list[str]) -> list[tuple[str, float]]:
    features: list[tuple[str, float]] = [(f"w:{word}", 1.0) for word in words]
    features += [(f"b:{a} {b}", 0.5) for a, b in itertools.pairwise(words)]
    for word in words:
        padded = f"<{word}>"
        features += [(f"c:{padded[i : i + 3]}", 0.25) for i in range(len(padded) - 2)]
    return features


def open_embedder(settings: Settings) -> Embedder:
    """The configured embedder: `models.embedding_model` (a name from `localchat models`),
    an upstream `/v1/embeddings` (`models.embedding_base_url`), `models.embedding_path`, or
    the bundled MiniLM run by the fastest accurate engine on this machine (measured once,
    cached: embedding/selection.py)."""
    models = settings.models
    if models.embedding_model and models.embedding_model != "all-MiniLM-L6-v2":
        from localchat.modelfiles import discover
        from localchat.modelfiles.choose import find_entry, open_embedding_entry

        entry = find_entry(discover(settings), models.embedding_model, "embedding")
        return open_embedding_entry(entry, settings)
    if models.embedding_base_url:
        from localchat.embedding.upstream_embedder import UpstreamEmbedder

        return UpstreamEmbedder.from_settings(settings)
    if models.embedding_path:
        from localchat.embedding.llama_embedder import LlamaEmbedder
        from localchat.modelfiles.convert import amx_ready, ensure_embedding_gguf

        path = ensure_embedding_gguf(settings)
        return LlamaEmbedder(path, threads=models.threads, extra_buffers=amx_ready(settings))
    from localchat.embedding.auto import open_fastest

    return open_fastest(settings)
