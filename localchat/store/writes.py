"""The store's writes of documents: a document with its chunks and vectors (insert or atomic
replace), a re-chunk's second layout and the swap to it, a re-embed's vectors, delete and rename.

Mixed into `Store` (store.py), which provides the writer transaction; every write here is one
transaction and bumps the corpus version when it changes what answers may come from."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import numpy as np

from localchat.store.collections import DEFAULT, collection_name
from localchat.store.records import NewChunk, NewDocument, WriteResult


class DocumentWrites:
    """Mixed into Store: the writes of documents, chunks and vectors."""

    # Provided by Store: db (sqlite-utils on the writer), transaction(), get_document();
    # by CollectionQueries: join_collection().

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
