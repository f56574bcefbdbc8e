"""The vector index: USearch HNSW (cosine), keys = chunk ids, derived from SQLite, rebuildable."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from pathlib import Path

import numpy as np
from usearch.index import Index

from localchat.errors import StoreError
from localchat.store.store import Store

log = logging.getLogger("localchat.index")

# f16 keeps recall@10 against exact search at the level of f32 on MiniLM vectors while halving
# memory and the file (measured: docs/benchmarks.md, "Vector index scalar kind").
DEFAULT_DTYPE = "f16"
# HNSW's search list grows with the index: recall@10 against exact search on a synthetic 1M
# chunk corpus was 0.77 at 64, 0.93 at 512 and 0.957 at 1,536 (5 ms a query), 0.99 at 128
# for 100k (docs/benchmarks.md, "Retrieval at scale"). One slot per VECTORS_PER_SLOT vectors.
MIN_EXPANSION, MAX_EXPANSION, VECTORS_PER_SLOT = 64, 2048, 640


def search_expansion(size: int) -> int:
    """How many candidates HNSW keeps while searching an index of `size` vectors."""
    return min(MAX_EXPANSION, max(MIN_EXPANSION, size // VECTORS_PER_SLOT))


def checksum(keys: np.ndarray) -> int:
    """Same formula as Store.key_stats, so SQLite and the index can be compared cheaply."""
    if keys.size == 0:
        return 0
    return int(np.sum(keys.astype(np.uint64) % np.uint64(1_000_000_007), dtype=np.uint64))


class UsearchIndex:
    """Thread-safe wrapper: USearch allows concurrent searches, but not search during add."""

    def __init__(self, dim: int, dtype: str = DEFAULT_DTYPE, threads: int = 0) -> None:
        self.dim = dim
        self.dtype = dtype
        self.threads = threads or (os.cpu_count() or 1)
        self._index = self._new()
        self._lock = threading.RLock()

    def _new(self) -> Index:
        return Index(
            ndim=self.dim,
            metric="cos",
            dtype=self.dtype,
            connectivity=16,
            expansion_add=128,
            expansion_search=MIN_EXPANSION,
        )

    def __len__(self) -> int:
        return len(self._index)

    def keys(self) -> np.ndarray:
        with self._lock:
            return np.asarray(self._index.keys, dtype=np.uint64)

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        if len(keys) == 0:
            return
        keys = np.asarray(keys, dtype=np.uint64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._lock:
            self._index.add(keys, vectors, threads=self.threads)

    def remove(self, keys: list[int]) -> None:
        if not keys:
            return
        with self._lock:
            self._index.remove(np.asarray(keys, dtype=np.uint64))

    def search(self, vector: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """(keys, cosine similarities) best first."""
        if len(self._index) == 0 or count <= 0:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.float32)
        with self._lock:
            expansion = search_expansion(len(self._index))
            if self._index.expansion_search != expansion:
                self._index.expansion_search = expansion
            matches = self._index.search(np.asarray(vector, dtype=np.float32), count)
        return np.asarray(matches.keys), 1.0 - np.asarray(matches.distances, dtype=np.float32)

    def vectors(self, keys: list[int]) -> dict[int, np.ndarray]:
        """The stored vectors (float32) of the keys the index holds; others are left out."""
        wanted = np.asarray(keys, dtype=np.uint64)
        if wanted.size == 0:
            return {}
        with self._lock:
            held = wanted[np.atleast_1d(self._index.contains(wanted))]
            if held.size == 0:
                return {}
            # USearch returns one (1, dim) array for one key and a tuple for several.
            found = np.asarray(self._index.get(held), dtype=np.float32).reshape(held.size, -1)
        return {int(k): row for k, row in zip(held, found, strict=True)}

    def save(self, path: Path) -> None:
        """Write atomically, with a sidecar recording count and checksum of the keys.

        The old sidecar goes first, so a crash between the two writes leaves an index without
        a sidecar (rebuilt on open), never a sidecar describing another index.
        """
        tmp = path.with_suffix(".tmp")
        side = path.with_suffix(".json")
        side_tmp = side.with_suffix(".json.tmp")
        if self._newer_on_disk(path, side):
            log.warning(
                "not saving %s: another process wrote it with more vectors; this process "
                "catches up from SQLite first",
                path,
            )
            return
        try:
            with self._lock:
                self._index.save(str(tmp))
                keys = self.keys()
            side.unlink(missing_ok=True)
            os.replace(tmp, path)
            meta = {
                "count": int(keys.size),
                "checksum": checksum(keys),
                "dim": self.dim,
                "dtype": self.dtype,
            }
            side_tmp.write_text(json.dumps(meta))
            os.replace(side_tmp, side)
            self._file_stamp = _stamp(path)
        except (OSError, RuntimeError) as exc:  # disk full, read-only dir
            tmp.unlink(missing_ok=True)
            side_tmp.unlink(missing_ok=True)
            reason = getattr(exc, "strerror", None) or str(exc)
            raise StoreError(
                f"could not save the vector index {path}: {reason}",
                hint="free space in the data dir or make it writable; the documents are safe "
                "in the database and the index is rebuilt from it on the next start",
            ) from exc

    def load(self, path: Path) -> bool:
        """Load a saved index; False when it is missing, unreadable or of another shape."""
        side = path.with_suffix(".json")
        try:
            meta = json.loads(side.read_text())
            if meta["dim"] != self.dim or meta["dtype"] != self.dtype:
                return False
            index = self._new()
            index.load(str(path))
        except (OSError, ValueError, KeyError, RuntimeError):
            return False
        if len(index) != meta["count"]:
            return False
        with self._lock:
            self._index = index
        self._saved_checksum = int(meta["checksum"])
        self._file_stamp = _stamp(path)
        return True

    def adopt_file(self, path: Path) -> None:
        """Treat the file on disk as seen: this index (rebuilt from SQLite) may replace it."""
        self._file_stamp = _stamp(path)

    def _newer_on_disk(self, path: Path, side: Path) -> bool:
        """The file was written by someone else since we loaded or saved it, and holds more
        vectors than we do: overwriting it would lose their work (it is theirs to keep)."""
        stamp = _stamp(path)
        if stamp is None or stamp == getattr(self, "_file_stamp", None):
            return False
        try:
            count = int(json.loads(side.read_text())["count"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return count > len(self)

    def saved_checksum(self) -> int | None:
        return getattr(self, "_saved_checksum", None)

    def clear(self) -> None:
        with self._lock:
            self._index = self._new()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def index_path(data_dir: Path, model_id: str) -> Path:
    slug = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model_id)
    return data_dir / f"vectors-{slug}.usearch"


def open_index(store: Store, data_dir: Path, model_id: str, dim: int) -> tuple[UsearchIndex, str]:
    """Open the saved index and check it against SQLite; rebuild from stored vectors if needed.

    Returns the index and what happened: "loaded", "rebuilt" or "empty".
    """
    index = UsearchIndex(dim)
    path = index_path(data_dir, model_id)
    expected = store.key_stats(model_id)
    if index.load(path) and (len(index), index.saved_checksum()) == expected:
        return index, "loaded"
    index.adopt_file(path)  # SQLite decides from here on: the file may be replaced
    if expected[0] == 0:
        index.clear()
        _save_if_possible(index, path)
        return index, "empty"
    rebuild(index, store, model_id)
    _save_if_possible(index, path)
    return index, "rebuilt"


def _save_if_possible(index: UsearchIndex, path: Path) -> None:
    """The file is only a cache of SQLite: on a full or read-only disk serve from memory, and
    the next open rebuilds it again."""
    with contextlib.suppress(StoreError):
        index.save(path)


def rebuild(index: UsearchIndex, store: Store, model_id: str) -> None:
    index.clear()
    for keys, vectors in store.iter_vectors(model_id):
        index.add(keys, vectors)
