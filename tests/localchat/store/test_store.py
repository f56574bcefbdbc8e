"""Store: schema, atomic replace, delete leaves nothing behind, vectors shared by hash."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from localchat.errors import DocumentNotFoundError
from localchat.store.records import NewChunk, NewDocument
from tests.factories import new_chunk, new_document


def doc(path: str = "/docs/a.txt", sha: str = "s1") -> NewDocument:
    return new_document(path, sha256=sha, title="A", size=10)


def chunk(n: int, text: str) -> NewChunk:
    return new_chunk(text, n)


def vecs(*texts: str) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {f"h-{t}": rng.standard_normal(4).astype(np.float32) for t in texts}


def test_schema_is_wal_and_migrated(store):
    assert store.read("PRAGMA journal_mode")[0][0] == "wal"
    assert store.read("PRAGMA user_version")[0][0] >= 2


def test_write_then_replace_keeps_id_and_swaps_chunks(store):
    first = store.write_document(
        doc(),
        [chunk(0, "alpha beta"), chunk(1, "gamma")],
        vecs("alpha beta", "gamma"),
        model="m",
        layout="1/0",
    )
    assert not first.replaced and len(first.added_chunk_ids) == 2
    second = store.write_document(
        doc(sha="s2"), [chunk(0, "delta")], vecs("delta"), model="m", layout="1/0"
    )
    assert second.replaced and second.document_id == first.document_id
    assert sorted(second.removed_chunk_ids) == sorted(first.added_chunk_ids)
    assert store.fts('"alpha"', 10) == []
    assert [c for c, _ in store.fts('"delta"', 10)] == second.added_chunk_ids
    # vectors of texts no chunk uses any more are gone
    assert store.known_vectors(["h-alpha beta", "h-delta"], "m").keys() == {"h-delta"}
    assert store.get_document(first.document_id).sha256 == "s2"


def test_delete_removes_chunks_fts_and_vectors_but_keeps_shared(store):
    a = store.write_document(
        doc("/a.txt"), [chunk(0, "shared words")], vecs("shared words"), model="m", layout="1/0"
    )
    store.write_document(
        doc("/b.txt"), [chunk(0, "shared words")], vecs("shared words"), model="m", layout="1/0"
    )
    before = store.corpus_version()
    removed = store.delete_document(a.document_id)
    assert removed == a.added_chunk_ids
    assert store.corpus_version() == before + 1
    assert len(store.fts('"shared"', 10)) == 1  # b's chunk still there
    assert "h-shared words" in store.known_vectors(["h-shared words"], "m")  # still used by b
    with pytest.raises(DocumentNotFoundError):
        store.get_document(a.document_id)
    assert store.integrity_ok()


def test_failed_transaction_rolls_back(store):
    bad = [
        chunk(0, "x"),
        NewChunk(
            ordinal=1,
            text=None,
            page=1,
            char_start=0,
            char_end=0,  # type: ignore[arg-type]
            token_count=0,
            section="",
            content_hash="h",
        ),
    ]
    with pytest.raises(sqlite3.IntegrityError):
        store.write_document(doc(), bad, vecs("x"), model="m", layout="1/0")
    assert store.counts() == (0, 0)


def test_key_stats_and_iter_vectors_agree(store):
    r = store.write_document(
        doc(), [chunk(0, "a"), chunk(1, "b")], vecs("a", "b"), model="m", layout="1/0"
    )
    count, checksum = store.key_stats("m")
    ids = np.concatenate([ids for ids, _ in store.iter_vectors("m")])
    assert count == 2 and sorted(ids.tolist()) == sorted(r.added_chunk_ids)
    assert checksum == sum(i % 1_000_000_007 for i in r.added_chunk_ids)
    assert store.key_stats("other-model") == (0, 0)


def test_layouts_side_by_side_then_swap(store):
    r = store.write_document(
        doc(), [chunk(0, "old text")], vecs("old text"), model="m", layout="1/0"
    )
    new_ids = store.add_layout_chunks(
        r.document_id,
        [chunk(0, "new"), chunk(1, "text")],
        vecs("new", "text"),
        model="m",
        layout="2/0",
    ).added_chunk_ids
    # the serving layout is still the old one
    assert [c.text for c in store.document_chunks(r.document_id)] == ["old text"]
    removed = store.swap_layout("2/0")
    assert removed == r.added_chunk_ids
    assert [c.id for c in store.document_chunks(r.document_id)] == new_ids
    assert store.get_document(r.document_id).chunk_count == 2
