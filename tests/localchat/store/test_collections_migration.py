"""Migration 7: a library made by schema version 5 (fixtures/library-v5.db) gains collections."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# Before usearch (via localchat.index), as localchat/commands/evaluate.py explains: usearch's
# extension loaded first makes llama.cpp fail to read a BPE vocabulary later in the session.
import localchat.cache  # noqa: F401
from localchat.config import PRESETS
from localchat.embedding.embedder import HashEmbedder
from localchat.index.vector_index import open_index
from localchat.retrieval.retriever import Retriever
from localchat.store.schema import MIGRATIONS
from localchat.store.store import Store
from tests.factories import new_chunk, new_document

FIXTURE = Path(__file__).parent / "fixtures" / "library-v5.db"


@pytest.fixture
def old_library(tmp_path):
    path = tmp_path / "localchat.db"
    shutil.copyfile(FIXTURE, path)
    return path


def test_the_fixture_is_a_version_5_library(old_library):
    import sqlite3

    conn = sqlite3.connect(old_library)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (5,)
        assert conn.execute("SELECT count(*) FROM documents").fetchone() == (3,)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "collections" not in tables
    finally:
        conn.close()


def test_every_existing_document_joins_default_and_stays_searchable(old_library, tmp_path):
    store = Store(old_library)
    try:
        assert store.read("PRAGMA user_version")[0][0] == len(MIGRATIONS) == 7
        documents = store.list_documents()
        assert [d.filename for d in documents] == ["cats.txt", "pumps.md", "tax.txt"]
        assert store.collections_of([d.id for d in documents]) == {
            d.id: ["default"] for d in documents
        }
        (info,) = store.list_collections()
        assert (info.name, info.documents) == ("default", 3)
        assert info.chunks == sum(d.chunk_count for d in documents) == store.counts()[1]
        assert store.list_documents("default") == documents
        assert store.covers_library("default")
        assert store.integrity_ok()

        embedder = HashEmbedder()
        index, how = open_index(store, tmp_path, embedder.model_id, embedder.dim)
        assert how == "rebuilt" and len(index) == 3  # vectors came through the migration
        retriever = Retriever(store, index, embedder)
        try:
            result = retriever.search("how do I prime the Zephyr pump?", PRESETS["balanced"])
            assert result.hits[0].filename == "pumps.md"
            assert result.hits[0].bm25_rank == 1 and result.hits[0].vector_rank == 1
        finally:
            retriever.close()
    finally:
        store.close()


def test_a_migrated_library_takes_new_collections(old_library):
    store = Store(old_library)
    try:
        chunk = new_chunk("Sourdough needs a mature starter.", content_hash="bread")
        written = store.write_document(
            new_document("/library/bread.txt", sha256="bread"),
            [chunk],
            {},
            model="hash-embedder-384",
            layout="1024/200",
            collection="recipes",
        )
        assert store.collections_of([written.document_id]) == {written.document_id: ["recipes"]}
        assert [c.name for c in store.list_collections()] == ["default", "recipes"]
        assert not store.covers_library("default")
        assert [d.filename for d in store.list_documents("recipes")] == ["bread.txt"]
        assert len(store.list_documents("all")) == 4
    finally:
        store.close()
