"""L2: cache entries in the SQLite store, kept across restarts, bounded with LRU eviction."""

from __future__ import annotations

import threading
import time

from localchat.store.store import Store

# Recency updates wait in memory and ride along with the next write: a hit costs no write.
TOUCH_BATCH = 64
# Rows removed per eviction beyond the bound, so a full cache does not evict on every put.
EVICT_SLACK = 0.02


class SqliteTier:
    """Rows of `cache_entries`. Reads use the store's per-thread readers; writes are one short
    transaction each through the store's single writer."""

    name = "l2"

    def __init__(self, store: Store, max_entries: int) -> None:
        self.store = store
        self.max_entries = max(0, max_entries)
        self._touched: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def get(self, key: str) -> tuple[bytes, int] | None:
        """(value, corpus version) or None."""
        if not self.enabled:
            return None
        rows = self.store.read(
            "SELECT value, corpus_version FROM cache_entries WHERE key = ?", (key,)
        )
        if not rows:
            return None
        self.touch(key)
        return bytes(rows[0][0]), int(rows[0][1])

    def put(self, key: str, value: bytes, *, kind: str, version: int = -1) -> None:
        """Insert or replace; `version` is the corpus version the value depends on (-1: none)."""
        if not self.enabled:
            return
        now = time.time()
        with self.store.transaction() as conn:
            self._write_touches(conn)
            conn.execute(
                "INSERT OR REPLACE INTO cache_entries "
                "(key, kind, value, corpus_version, size, created_at, used_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, kind, value, version, len(value), now, now),
            )
            self._evict(conn)

    def scan(self, prefix: str, limit: int) -> list[tuple[str, bytes]]:
        """Entries whose key starts with `prefix`, most recently used first."""
        if not self.enabled or not prefix:
            return []
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = self.store.read(
            "SELECT key, value FROM cache_entries WHERE key >= ? AND key < ? "
            "ORDER BY used_at DESC LIMIT ?",
            (prefix, upper, limit),
        )
        return [(key, bytes(value)) for key, value in rows]

    def delete(self, keys: list[str]) -> None:
        if self.enabled and keys:
            with self.store.transaction() as conn:
                conn.executemany("DELETE FROM cache_entries WHERE key = ?", [(k,) for k in keys])

    def purge_corpus(self, below: int | None = None) -> int:
        """Delete entries that depend on the corpus (all, or those older than `below`)."""
        if not self.enabled:
            return 0
        sql, params = "DELETE FROM cache_entries WHERE corpus_version >= 0", ()
        if below is not None:
            sql, params = sql + " AND corpus_version < ?", (below,)
        with self.store.transaction() as conn:
            return conn.execute(sql, params).rowcount

    def count(self) -> int:
        return int(self.store.read("SELECT count(*) FROM cache_entries")[0][0])

    def touch(self, key: str) -> None:
        """Note a use; written with the next put (or once TOUCH_BATCH uses are waiting)."""
        with self._lock:
            self._touched[key] = time.time()
            full = len(self._touched) >= TOUCH_BATCH
        if full:
            self.flush()

    def flush(self) -> None:
        if not self.enabled or not self._touched:
            return
        with self.store.transaction() as conn:
            self._write_touches(conn)

    def _write_touches(self, conn) -> None:
        with self._lock:
            touched, self._touched = self._touched, {}
        conn.executemany(
            "UPDATE cache_entries SET used_at = max(used_at, ?) WHERE key = ?",
            [(when, key) for key, when in touched.items()],
        )

    def _evict(self, conn) -> None:
        count = conn.execute("SELECT count(*) FROM cache_entries").fetchone()[0]
        if count <= self.max_entries:
            return
        excess = count - self.max_entries + int(self.max_entries * EVICT_SLACK)
        conn.execute(
            "DELETE FROM cache_entries WHERE key IN "
            "(SELECT key FROM cache_entries ORDER BY used_at LIMIT ?)",
            (excess,),
        )
