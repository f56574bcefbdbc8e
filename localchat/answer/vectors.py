"""Sentence embeddings, computed in batches and kept in memory by text hash."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

DEFAULT_ENTRIES = 50_000  # ~77 MB of 384-dim float32 vectors at most


class SentenceVectors:
    """Unit vectors of sentences; a sentence seen before (the same passages come back for
    related questions) costs a dictionary look-up instead of a model call."""

    def __init__(self, embedder, max_entries: int = DEFAULT_ENTRIES) -> None:
        self._embedder = embedder
        self._max = max_entries
        self._vectors: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0  # sentences embedded by the model (the rest came from memory)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        keys = [_key(self._embedder.model_id, text) for text in texts]
        with self._lock:
            found = {key: self._vectors.get(key) for key in keys}
        missing = list(dict.fromkeys(k for k, v in found.items() if v is None))
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            fresh = self._embedder.embed([by_key[k] for k in missing])
            self.computed += len(missing)
            with self._lock:
                for key, vector in zip(missing, fresh, strict=True):
                    found[key] = self._vectors[key] = vector
                while len(self._vectors) > self._max:
                    self._vectors.popitem(last=False)
        if not keys:
            return np.zeros((0, self._embedder.dim), dtype=np.float32)
        return np.stack([found[key] for key in keys])


def _key(model_id: str, text: str) -> bytes:
    return hashlib.blake2b(f"{model_id}\0{text}".encode(), digest_size=16).digest()
