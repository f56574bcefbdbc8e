"""L1: an in-process LRU of encoded values, bounded by entry count and by bytes."""

from __future__ import annotations

import threading
from collections import OrderedDict

# Rough per-entry bookkeeping cost (key string, tuple, dict slot), so tiny values still count.
ENTRY_OVERHEAD = 160


class MemoryTier:
    """Thread-safe. Values are bytes, so a hit can never share mutable state with a caller."""

    name = "l1"

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max(0, max_entries)
        self.max_bytes = max(0, max_bytes)
        self._items: OrderedDict[str, tuple[bytes, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes_used(self) -> int:
        return self._bytes

    def get(self, key: str) -> tuple[bytes, int] | None:
        """(value, corpus version) or None."""
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, value: bytes, *, kind: str = "", version: int = -1) -> None:
        """Store value; `version` is the corpus version it depends on (-1: none)."""
        size = _cost(key, value)
        if self.max_entries == 0 or size > self.max_bytes:
            return  # larger than the whole budget: keeping it would flush everything else
        with self._lock:
            self._drop(key)
            self._items[key] = (value, version)
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                self._drop(next(iter(self._items)))

    def delete(self, key: str) -> None:
        with self._lock:
            self._drop(key)

    def purge_corpus(self, below: int | None = None) -> int:
        """Drop entries that depend on the corpus (all, or those older than `below`)."""
        with self._lock:
            stale = [
                key
                for key, (_, version) in self._items.items()
                if version >= 0 and (below is None or version < below)
            ]
            for key in stale:
                self._drop(key)
        return len(stale)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self._bytes -= _cost(key, item[0])


def _cost(key: str, value: bytes) -> int:
    return len(key) + len(value) + ENTRY_OVERHEAD
