"""The SQLite store (WAL, one writer): documents, chunks, FTS5, vectors — the source of truth."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import numpy as np
import sqlite_utils

from localchat.errors import DocumentNotFoundError, StoreError
from localchat.store.collections import DEFAULT, CollectionQueries, collection_name
from localchat.store.queries import StoreQueries
from localchat.store.records import (
    DocumentRecord,
    NewChunk,
    NewDocument,
    WriteResult,
)
from localchat.store.schema import migrate

_DOC_COLUMNS = ", ".join(DocumentRecord.__struct_fields__)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


class Store(StoreQueries, CollectionQueries):
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

    def write_document(
        self,
        doc: NewDocument,
        chunks: Sequence[NewChunk],
        vectors: Mapping[str, np.ndarray],
        *,
        model: str,
        layout: str,
        collection: str = DEFAULT,
    ) -> WriteResult:
        """Insert or atomically replace the document at doc.path with its chunks and vectors.

        The document joins `collection` (created when missing) and keeps any it was in."""
        collection = collection_name(collection, allow_all=False)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        fields = msgspec.structs.asdict(doc)
        fields["warnings"] = msgspec.json.encode(doc.warnings).decode()
        fields |= {
            "status": "ready",
            "chunk_count": len(chunks),
            "token_count": sum(c.token_count for c in chunks),
            "layout": layout,
            "embed_model": model,
            "ingested_at": now,
        }
        # sqlite-utils builds the column lists; it runs on the writer inside this transaction
        # (its own atomic() becomes a savepoint there).
        documents = self.db.table("documents")
        with self.transaction() as conn:
            old = conn.execute("SELECT id FROM documents WHERE path = ?", (doc.path,)).fetchone()
            removed: list[int] = []
            if old:
                document_id = old[0]
                removed = self._delete_chunks(conn, "document_id = ?", (document_id,))
                documents.update(document_id, fields)
            else:
                document_id = documents.insert(fields).last_pk
            added = self._insert_chunks(conn, document_id, chunks, layout)
            self._insert_vectors(conn, vectors, model)
            self.join_collection(conn, [document_id], collection)
            self._bump_version(conn)
        return WriteResult(document_id, added, removed, replaced=bool(old))

    def add_layout_chunks(
        self,
        document_id: int,
        chunks: Sequence[NewChunk],
        vectors: Mapping[str, np.ndarray],
        *,
        model: str,
        layout: str,
    ) -> WriteResult:
        """Add a second set of chunks (a re-chunk in progress) beside the serving ones. Chunks
        an interrupted run left in `layout` are replaced (their ids are `removed_chunk_ids`)."""
        with self.transaction() as conn:
            stale = "document_id = ? AND layout = ?"
            removed = self._delete_chunks(conn, stale, (document_id, layout))
            added = self._insert_chunks(conn, document_id, chunks, layout)
            self._insert_vectors(conn, vectors, model)
        return WriteResult(document_id, added, removed, replaced=bool(removed))

    def add_vectors(self, vectors: Mapping[str, np.ndarray], model: str) -> None:
        """Store `model`'s vectors of chunk texts (keyed by content hash) in one transaction;
        a text that already has a vector from `model` keeps it (a resumed re-embed)."""
        with self.transaction() as conn:
            self._insert_vectors(conn, vectors, model)

    def swap_layout(self, new_layout: str) -> list[int]:
        """Make new_layout the only one: drop every other layout's chunks; return their ids."""
        with self.transaction() as conn:
            removed = self._delete_chunks(conn, "layout != ?", (new_layout,))
            conn.execute(
                "UPDATE documents SET layout = ?, "
                "chunk_count = (SELECT count(*) FROM chunks WHERE document_id = documents.id), "
                "token_count = (SELECT coalesce(sum(token_count), 0) FROM chunks "
                "WHERE document_id = documents.id)",
                (new_layout,),
            )
            self._bump_version(conn)
        return removed

    def delete_document(self, document_id: int) -> list[int]:
        """Remove the document, its chunks, FTS rows and unshared vectors; return chunk ids."""
        self.get_document(document_id)
        with self.transaction() as conn:
            removed = self._delete_chunks(conn, "document_id = ?", (document_id,))
            conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
            self._bump_version(conn)
        return removed

    def rename_document(self, document_id: int, path: str, *, size: int, mtime: float) -> None:
        """Move a document to another path with the same bytes (its chunks stay); a title
        that was the old file's stem becomes the new one's."""
        old = Path(self.get_document(document_id).path)
        new = Path(path)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE documents SET path = ?, filename = ?, size = ?, mtime = ?, "
                "title = CASE WHEN title = ? THEN ? ELSE title END WHERE id = ?",
                (str(new), new.name, size, mtime, old.stem, new.stem, document_id),
            )
            self._bump_version(conn)

    def _delete_chunks(self, conn: sqlite3.Connection, where: str, params: Sequence) -> list[int]:
        rows = conn.execute(f"SELECT id, content_hash FROM chunks WHERE {where}", params).fetchall()
        if not rows:
            return []
        conn.execute(f"DELETE FROM chunks WHERE {where}", params)
        hashes = sorted({h for _, h in rows})
        for start in range(0, len(hashes), 500):
            part = hashes[start : start + 500]
            marks = ",".join("?" * len(part))
            conn.execute(
                f"DELETE FROM vectors WHERE content_hash IN ({marks}) AND NOT EXISTS "
                "(SELECT 1 FROM chunks WHERE chunks.content_hash = vectors.content_hash)",
                part,
            )
        return [chunk_id for chunk_id, _ in rows]

    @staticmethod
    def _insert_chunks(
        conn: sqlite3.Connection, document_id: int, chunks: Sequence[NewChunk], layout: str
    ) -> list[int]:
        ids = []
        for c in chunks:
            cur = conn.execute(
                "INSERT INTO chunks (document_id, layout, ordinal, text, page, char_start, "
                "char_end, token_count, section, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    document_id,
                    layout,
                    c.ordinal,
                    c.text,
                    c.page,
                    c.char_start,
                    c.char_end,
                    c.token_count,
                    c.section,
                    c.content_hash,
                ),
            )
            ids.append(cur.lastrowid)
        return ids

    @staticmethod
    def _insert_vectors(
        conn: sqlite3.Connection, vectors: Mapping[str, np.ndarray], model: str
    ) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO vectors (content_hash, model, dim, vector) VALUES (?,?,?,?)",
            (
                (h, model, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                for h, v in vectors.items()
            ),
        )

    @staticmethod
    def _bump_version(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('corpus_version', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )


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
