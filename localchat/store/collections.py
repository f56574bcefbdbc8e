"""Named collections: which documents a question may be answered from (schema migration 7).

A document belongs to one or more collections. "default" is the collection meant wherever none
is named and cannot be renamed or deleted; "all" is no collection but the whole library (a
reserved name, accepted wherever a collection is asked for).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import msgspec
import numpy as np

from localchat.errors import CollectionExistsError, CollectionNotFoundError, InvalidRequestError

DEFAULT = "default"
ALL = "all"
# Lower-case so a name is the same in a URL, a model name and Ollama's rules for a model name
# (letters, digits, "_", "-", "."), which OpenAI clients pass on unchanged.
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


# The documents of collection ?1 that belong to no other collection.
_ONLY_HERE = (
    "SELECT document_id FROM collection_documents cd WHERE collection_id = ?1 "
    "AND NOT EXISTS (SELECT 1 FROM collection_documents o "
    "WHERE o.document_id = cd.document_id AND o.collection_id != ?1) ORDER BY document_id"
)


class CollectionInfo(msgspec.Struct, frozen=True):
    name: str
    documents: int
    chunks: int
    created_at: str


def collection_name(name: str, *, allow_all: bool = True) -> str:
    """The canonical (lower-case) form of a collection name; InvalidRequestError if malformed."""
    canonical = (name or "").strip().lower()
    if not _NAME.fullmatch(canonical):
        raise InvalidRequestError(
            f"{name!r} is not a valid collection name",
            hint="use 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit "
            "(e.g. papers or work-notes)",
            param="collection",
        )
    if canonical == ALL and not allow_all:
        raise InvalidRequestError(
            f"{ALL!r} is reserved: it means every document of the library",
            hint="pick another name for the collection",
            param="collection",
        )
    return canonical


def not_found(name: str, known: Sequence[str]) -> CollectionNotFoundError:
    return CollectionNotFoundError(
        f"there is no collection {name!r}",
        hint=f"use one of: {', '.join([*known, ALL])} (`localchat collections` lists them; "
        "`localchat collections create NAME` makes one)",
        param="collection",
    )


def check_deletable(name: str) -> str:
    if name in (DEFAULT, ALL):
        raise InvalidRequestError(
            f"the collection {name!r} cannot be deleted",
            hint="delete documents one by one (DELETE /api/documents/{id}), or move them "
            "into another collection first",
            param="collection",
        )
    return name


class CollectionQueries:
    """Mixed into Store: reads through the thread's reader, writes in one transaction each."""

    # Provided by Store: read(sql, params), transaction(); by DocumentWrites (writes.py):
    # _delete_chunks(), _bump_version().

    # -- reading -----------------------------------------------------------------------------

    def collection_names(self) -> list[str]:
        rows = self.read("SELECT name FROM collections ORDER BY name != ?, name", (DEFAULT,))
        return [r[0] for r in rows]

    def list_collections(self) -> list[CollectionInfo]:
        """Every collection, "default" first, with its document and (serving) chunk counts."""
        rows = self.read(
            "SELECT k.name, count(d.id), coalesce(sum(d.chunk_count), 0), k.created_at "
            "FROM collections k LEFT JOIN collection_documents cd ON cd.collection_id = k.id "
            "LEFT JOIN documents d ON d.id = cd.document_id "
            "GROUP BY k.id ORDER BY k.name != ?, k.name",
            (DEFAULT,),
        )
        return [CollectionInfo(name, int(docs), int(chunks), at) for name, docs, chunks, at in rows]

    def get_collection(self, name: str) -> CollectionInfo:
        """The collection called `name`; CollectionNotFoundError (404, with the names) if none."""
        name = collection_name(name)
        for info in self.list_collections():
            if info.name == name:
                return info
        raise not_found(name, self.collection_names())

    def resolve_collection(self, name: str | None) -> str:
        """The canonical name of an existing collection (None means "default"), or "all"."""
        name = collection_name(name or DEFAULT)
        if name == ALL or self._collection_id(name) is not None:
            return name
        raise not_found(name, self.collection_names())

    def collections_of(self, document_ids: Iterable[int]) -> dict[int, list[str]]:
        """The collections each document belongs to, by name ("default" first)."""
        ids = list(document_ids)
        found: dict[int, list[str]] = {i: [] for i in ids}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self.read(
                f"SELECT cd.document_id, k.name FROM collection_documents cd "
                f"JOIN collections k ON k.id = cd.collection_id WHERE cd.document_id IN ({marks}) "
                "ORDER BY k.name != 'default', k.name",
                part,
            )
            for document_id, name in rows:
                found[document_id].append(name)
        return found

    def covers_library(self, name: str) -> bool:
        """True when the collection holds every document (no filtering needed to search it)."""
        if name == ALL:
            return True
        collection_id = self._collection_id(name)
        if collection_id is None:
            return False
        held = self.read(
            "SELECT count(*) FROM collection_documents WHERE collection_id = ?", (collection_id,)
        )[0][0]
        return held == self.read("SELECT count(*) FROM documents")[0][0]

    def collection_chunk_ids(self, name: str) -> np.ndarray:
        """Sorted ids of the serving chunks (the documents' current layout) of a collection."""
        rows = self.read(
            "SELECT c.id FROM collections k "
            "JOIN collection_documents cd ON cd.collection_id = k.id "
            "JOIN documents d ON d.id = cd.document_id "
            "JOIN chunks c ON c.document_id = d.id AND c.layout = d.layout "
            "WHERE k.name = ? ORDER BY c.id",
            (name,),
        )
        return np.fromiter((r[0] for r in rows), dtype=np.uint64, count=len(rows))

    def documents_only_in(self, name: str) -> list[int]:
        """Ids of the collection's documents that no other collection holds (what deleting
        the collection deletes)."""
        collection_id = self._collection_id(self.resolve_collection(name))
        return [r[0] for r in self.read(_ONLY_HERE, (collection_id,))]

    def _collection_id(self, name: str) -> int | None:
        rows = self.read("SELECT id FROM collections WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    # -- writing -----------------------------------------------------------------------------

    def create_collection(self, name: str) -> CollectionInfo:
        name = collection_name(name, allow_all=False)
        with self.transaction() as conn:
            if _id(conn, name) is not None:
                raise CollectionExistsError(
                    f"the collection {name!r} already exists",
                    hint=f"ingest into it with --collection {name}, or pick another name",
                    param="collection",
                )
            _insert(conn, name)
        return self.get_collection(name)

    def add_to_collection(self, document_ids: Iterable[int], name: str) -> int:
        """Put documents into a collection (created when missing); returns how many joined."""
        name = collection_name(name, allow_all=False)
        with self.transaction() as conn:
            added = self.join_collection(conn, list(document_ids), name)
        return added

    def join_collection(self, conn: sqlite3.Connection, document_ids: list[int], name: str) -> int:
        """Inside a caller's transaction: membership rows, the collection created if missing."""
        collection_id = _id(conn, name)
        if collection_id is None:
            collection_id = _insert(conn, name)
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO collection_documents (collection_id, document_id) VALUES (?, ?)",
            ((collection_id, d) for d in document_ids),
        )
        added = conn.total_changes - before
        if added:
            self._bump_version(conn)
        return added

    def rename_collection(self, old: str, new: str) -> CollectionInfo:
        old, new = collection_name(old), collection_name(new, allow_all=False)
        if DEFAULT in (old, new) or old == ALL:
            raise InvalidRequestError(
                f"the collection {old!r} cannot be renamed to {new!r}",
                hint='"default" is the collection meant when none is named and "all" is the '
                "whole library: neither can be renamed or replaced",
                param="collection",
            )
        with self.transaction() as conn:
            if _id(conn, old) is None:
                raise not_found(old, [r[0] for r in conn.execute("SELECT name FROM collections")])
            if _id(conn, new) is not None:
                raise CollectionExistsError(
                    f"the collection {new!r} already exists",
                    hint="pick another new name, or delete that collection first",
                    param="collection",
                )
            conn.execute("UPDATE collections SET name = ? WHERE name = ?", (new, old))
            self._bump_version(conn)  # cached answers and scopes name collections
        return self.get_collection(new)

    def delete_collection(self, name: str) -> tuple[list[int], list[int]]:
        """Drop a collection and the documents that belong to no other one.

        Returns (deleted document ids, their chunk ids, for the vector index to forget)."""
        name = check_deletable(collection_name(name))
        with self.transaction() as conn:
            collection_id = _id(conn, name)
            if collection_id is None:
                raise not_found(name, [r[0] for r in conn.execute("SELECT name FROM collections")])
            only_here = [r[0] for r in conn.execute(_ONLY_HERE, (collection_id,))]
            removed: list[int] = []
            for document_id in only_here:
                removed += self._delete_chunks(conn, "document_id = ?", (document_id,))
                conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
            conn.execute("DELETE FROM collections WHERE id = ?", (collection_id,))
            self._bump_version(conn)
        return only_here, removed


def _id(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute("SELECT id FROM collections WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def _insert(conn: sqlite3.Connection, name: str) -> int:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    cur = conn.execute("INSERT INTO collections (name, created_at) VALUES (?, ?)", (name, now))
    return int(cur.lastrowid)
