"""Bring an in-memory vector index up to SQLite after another process changed the library.

`localchat ingest` run beside a server (or any second writer) commits documents to SQLite,
which both processes share, but only its own copy of the vector index learns about them. The
server notices the newer corpus version and calls `catch_up`: chunks added elsewhere get their
stored vectors, chunks deleted elsewhere leave the index. Nothing is re-embedded.
"""

from __future__ import annotations

import numpy as np

from localchat.store.store import Store

_JOIN = "FROM chunks c JOIN vectors v ON v.content_hash = c.content_hash AND v.model = ?"
BATCH = 2000  # ids per query: below SQLite's parameter limit


def catch_up(index, store: Store, model: str) -> tuple[int, int]:
    """Add the vectors SQLite has and the index lacks; remove keys SQLite no longer has.
    Returns (added, removed)."""
    wanted = {int(row[0]) for row in store.read(f"SELECT c.id {_JOIN}", (model,))}
    held = set(index.keys().tolist())
    gone = sorted(held - wanted)
    missing = sorted(wanted - held)
    index.remove(gone)
    for start in range(0, len(missing), BATCH):
        ids = missing[start : start + BATCH]
        marks = ",".join("?" * len(ids))
        rows = store.read(f"SELECT c.id, v.vector {_JOIN} WHERE c.id IN ({marks})", (model, *ids))
        if rows:
            keys = np.fromiter((r[0] for r in rows), dtype=np.uint64, count=len(rows))
            index.add(keys, np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows]))
    return len(missing), len(gone)
