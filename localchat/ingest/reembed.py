"""Re-embed the library with another embedding model into its own vector set, then swap.

Vectors are stored per (chunk text hash, model) and each model has its own index file, so a
new model's vectors are built beside the serving ones and never mix with them: queries keep
using the old model and its index until every chunk has a vector from the new one, then the
runtime swaps embedder and index together. An interrupted run resumes where it stopped (the
vectors it wrote are kept); the old model's vectors stay in SQLite, so switching back is
cheap.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
import numpy as np

from localchat.errors import EmbeddingMismatchError
from localchat.index.vector_index import UsearchIndex
from localchat.store.store import Store

BATCH = 64  # chunk texts per embed call


class ReembedProgress(msgspec.Struct):
    texts_total: int = 0
    texts_done: int = 0
    tokens: int = 0


class ReembedReport(msgspec.Struct):
    model: str
    texts: int
    tokens: int
    seconds: float
    complete: bool  # every chunk has a vector from `model` (False when cancelled)


def missing_texts(store: Store, model: str) -> list[tuple[str, str]]:
    """(content hash, text) of every chunk text that has no vector from `model` yet."""
    rows = store.read(
        "SELECT c.content_hash, min(c.text) FROM chunks c LEFT JOIN vectors v "
        "ON v.content_hash = c.content_hash AND v.model = ? "
        "WHERE v.content_hash IS NULL GROUP BY c.content_hash",
        (model,),
    )
    return [(h, text) for h, text in rows]


def reembed(
    store: Store,
    embedder,
    index: UsearchIndex,
    index_file: Path,
    on_progress: Callable[[ReembedProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> ReembedReport:
    """Give every chunk a vector from `embedder` (stored, and added to `index`, which must be
    that model's own index); saves the index at the end."""
    started = time.perf_counter()
    model = embedder.model_id
    pending = missing_texts(store, model)
    progress = ReembedProgress(texts_total=len(pending))
    for start in range(0, len(pending), BATCH):
        if cancel is not None and cancel.is_set():
            index.save(index_file)
            return _report(model, progress, started, complete=False)
        part = pending[start : start + BATCH]
        vectors = embedder.embed([text for _, text in part])
        if vectors.shape[1] != index.dim:
            raise EmbeddingMismatchError(
                f"{model} made {vectors.shape[1]}-dimensional vectors, its index holds "
                f"{index.dim}-dimensional ones",
                hint="nothing of this batch was written; check the embedding model",
            )
        by_hash = dict(zip((h for h, _ in part), vectors, strict=True))
        store.add_vectors(by_hash, model)
        _index_chunks(store, index, by_hash)
        progress.texts_done += len(part)
        progress.tokens += sum(embedder.count_tokens(text) for _, text in part)
        if on_progress:
            on_progress(progress)
    index.save(index_file)
    return _report(model, progress, started, complete=True)


def switch_embedder(
    resources,
    embedder=None,
    name: str = "",
    on_progress: Callable[[ReembedProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> ReembedReport:
    """Fill `embedder`'s vector set (default: the serving model's, finishing an interrupted
    run) and, once complete, have `resources` serve with it (Resources.swap_embedder)."""
    from localchat.index.vector_index import index_path, rebuild

    swap = embedder is not None and embedder.model_id != resources.embedder.model_id
    embedder = embedder or resources.embedder
    # A new model gets its own index, built beside the serving one from its own vectors.
    index = UsearchIndex(embedder.dim) if swap else resources.index
    if swap:
        rebuild(index, resources.store, embedder.model_id)  # what an earlier run left
    target = index_path(resources.settings.data_path, embedder.model_id)
    try:
        report = reembed(resources.store, embedder, index, target, on_progress, cancel)
    except Exception:
        if swap:
            embedder.close()  # never served; the previous model keeps serving
        raise
    if report.complete and swap:
        resources.swap_embedder(embedder, index, name)
    return report


def _index_chunks(store: Store, index: UsearchIndex, by_hash: dict[str, np.ndarray]) -> None:
    marks = ",".join("?" * len(by_hash))
    rows = store.read(
        f"SELECT id, content_hash FROM chunks WHERE content_hash IN ({marks})", list(by_hash)
    )
    if rows:
        keys = np.asarray([row[0] for row in rows], dtype=np.uint64)
        index.remove([row[0] for row in rows])  # a resumed run may have added some already
        index.add(keys, np.vstack([by_hash[row[1]] for row in rows]))


def _report(model: str, progress: ReembedProgress, started: float, *, complete: bool):
    return ReembedReport(
        model=model,
        texts=progress.texts_done,
        tokens=progress.tokens,
        seconds=time.perf_counter() - started,
        complete=complete,
    )
