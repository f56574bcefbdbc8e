"""Shared plumbing for the suites: one embedder for the whole run, runtimes over other data dirs."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import msgspec
import numpy as np

from localchat.config import Settings
from localchat.embedding.embedder import Embedder


class SharedEmbedder:
    """Delegates to one loaded embedder but ignores close(), so runtimes can come and go."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed(texts)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def close(self) -> None:
        """Kept open: the suite closes the real embedder once at the end."""


def settings_for(settings: Settings, data_dir: Path) -> Settings:
    return msgspec.structs.replace(settings, data_dir=str(data_dir))


def open_runtime(settings: Settings, data_dir: Path, embedder: Embedder, *, isolate: bool = False):
    """(Resources over data_dir, seconds it took to open)."""
    from localchat.resources import Resources

    started = time.perf_counter()
    runtime = Resources.open(
        settings_for(settings, data_dir), embedder=SharedEmbedder(embedder), isolate_parsing=isolate
    )
    return runtime, time.perf_counter() - started


class Log:
    """Progress lines on stderr (stdout is reserved for --json); silent when quiet."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.perf_counter() - self.started
            print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)
