"""The SQLite store (WAL, one writer): documents, chunks, FTS5, vectors — the source of truth.

This module holds the connections (one writer behind a lock, a reader per thread), the
`BEGIN IMMEDIATE` transaction, meta and the document reads; the writes of documents, chunks and
vectors are in writes.py, the chunk and search reads in queries.py, collections in
collections.py (all mixed into `Store`)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import msgspec
import sqlite_utils

from localchat.errors import DocumentNotFoundError, StoreError
from localchat.store.collections import CollectionQueries
from localchat.store.queries import StoreQueries
from localchat.store.records import DocumentRecord
from localchat.store.schema import migrate
from localchat.store.writes import DocumentWrites

_DOC_COLUMNS = ", ".join(DocumentRecord.__struct_fields__)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


class Store(DocumentWrites, StoreQueries, CollectionQueries):
    """One writer connection behind a lock; one reader connection per thread (WAL readers)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = _connect(self.path)
            migrate(self._writer)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(
                f"cannot open the database {self.path}: {exc}",
                hint="check that the data dir is writable and not full; run `localchat doctor`",
            ) from exc
        self.db = sqlite_utils.Database(self._writer)
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    # -- connections ---------------------------------------------------------------------

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path)
            conn.execute("PRAGMA query_only=ON")
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def read(self, sql: str, params: Sequence | Mapping = ()) -> list[tuple]:
        return self._reader().execute(sql, params).fetchall()

    def _connect_private(self) -> sqlite3.Connection:
        return _connect(self.path)

    def integrity_ok(self) -> bool:
        return self.read("PRAGMA integrity_check")[0][0] == "ok"

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        with self._write_lock:
            self._writer.close()

    def transaction(self):
        """Context manager: BEGIN IMMEDIATE … COMMIT on the writer, under the write lock.

        Not sqlite-utils' `db.atomic()`: that opens with a deferred BEGIN, and a deferred
        transaction that later writes can fail with SQLITE_BUSY instead of waiting for the lock.
        """
        return _Transaction(self)

    # -- meta ----------------------------------------------------------------------------

    def meta_get(self, key: str, default: str | None = None) -> str | None:
        rows = self.read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def meta_set(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def corpus_version(self) -> int:
        """Bumped by every write that changes documents: part of every cache key."""
        return int(self.meta_get("corpus_version", "0") or 0)

    # -- documents -----------------------------------------------------------------------

    def _documents(self, where: str = "", params: Sequence = ()) -> list[DocumentRecord]:
        rows = self.read(f"SELECT {_DOC_COLUMNS} FROM documents {where}", params)
        return [_document(row) for row in rows]

    def list_documents(self, collection: str | None = None) -> list[DocumentRecord]:
        """Every document, or those of one collection (None and "all": the whole library)."""
        if collection is None or (name := self.resolve_collection(collection)) == "all":
            return self._documents("ORDER BY filename COLLATE NOCASE, id")
        return self._documents(
            "WHERE id IN (SELECT cd.document_id FROM collection_documents cd JOIN collections k "
            "ON k.id = cd.collection_id WHERE k.name = ?) ORDER BY filename COLLATE NOCASE, id",
            (name,),
        )

    def get_document(self, document_id: int) -> DocumentRecord:
        # An id beyond SQLite's 64-bit range names no row (and would raise OverflowError).
        in_range = -(2**63) <= document_id < 2**63
        found = self._documents("WHERE id = ?", (document_id,)) if in_range else []
        if not found:
            raise DocumentNotFoundError(
                f"no document with id {document_id}",
                hint="list documents with GET /api/documents or the TUI library",
            )
        return found[0]

    def document_by_path(self, path: str) -> DocumentRecord | None:
        found = self._documents("WHERE path = ?", (path,))
        return found[0] if found else None


class _Transaction:
    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.store._write_lock.acquire()
        self.started = time.monotonic()
        try:
            self.store._writer.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.store._write_lock.release()
            raise
        return self.store._writer

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            conn = self.store._writer
            if exc_type is None:
                conn.execute("COMMIT")
            elif conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            self.store._write_lock.release()


def _document(row: tuple) -> DocumentRecord:
    values = dict(zip(DocumentRecord.__struct_fields__, row, strict=True))
    values["warnings"] = msgspec.json.decode(values["warnings"] or "[]")
    return DocumentRecord(**values)
