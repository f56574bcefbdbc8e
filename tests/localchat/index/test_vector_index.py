"""USearch index: add/remove/search, atomic save, consistency check and rebuild from SQLite."""

from __future__ import annotations

import numpy as np

from localchat.index import vector_index
from localchat.index.vector_index import (
    MAX_EXPANSION,
    MIN_EXPANSION,
    UsearchIndex,
    index_path,
    open_index,
    search_expansion,
)
from localchat.store.store import Store
from tests.factories import new_chunk, new_document


def unit(rng, n, dim=16):
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_search_finds_itself_and_remove_forgets():
    rng = np.random.default_rng(1)
    vectors = unit(rng, 50)
    index = UsearchIndex(16)
    index.add(np.arange(1, 51, dtype=np.uint64), vectors)
    keys, sims = index.search(vectors[9], 3)
    assert keys[0] == 10 and sims[0] > 0.99
    index.remove([10])
    keys, _ = index.search(vectors[9], 3)
    assert 10 not in keys.tolist() and len(index) == 49


def test_empty_index_search_is_empty():
    keys, sims = UsearchIndex(8).search(np.ones(8, dtype=np.float32), 5)
    assert keys.size == 0 and sims.size == 0


def _store_with_vectors(tmp_path, n=30, dim=16):
    store = Store(tmp_path / "db.sqlite")
    rng = np.random.default_rng(2)
    vectors = unit(rng, n, dim)
    chunks = [new_chunk(f"t{i}", i, content_hash=f"h{i}", token_count=1) for i in range(n)]
    doc = new_document("/x", sha256="s", title="x")
    result = store.write_document(
        doc, chunks, {f"h{i}": vectors[i] for i in range(n)}, model="m", layout="1/0"
    )
    return store, result.added_chunk_ids


def test_open_rebuilds_when_index_missing_then_loads(tmp_path):
    store, ids = _store_with_vectors(tmp_path)
    index, state = open_index(store, tmp_path, "m", 16)
    assert state == "rebuilt" and sorted(index.keys().tolist()) == sorted(ids)
    index2, state2 = open_index(store, tmp_path, "m", 16)
    assert state2 == "loaded" and len(index2) == len(ids)
    store.close()


def test_open_rebuilds_when_index_disagrees_with_sqlite(tmp_path):
    store, ids = _store_with_vectors(tmp_path)
    index, _ = open_index(store, tmp_path, "m", 16)
    index.remove(ids[:3])  # simulate a crash between SQLite commit and index save
    index.save(index_path(tmp_path, "m"))
    reopened, state = open_index(store, tmp_path, "m", 16)
    assert state == "rebuilt" and len(reopened) == len(ids)
    store.close()


def test_open_rebuilds_when_file_is_corrupt(tmp_path):
    store, ids = _store_with_vectors(tmp_path)
    open_index(store, tmp_path, "m", 16)
    index_path(tmp_path, "m").write_bytes(b"garbage")
    reopened, state = open_index(store, tmp_path, "m", 16)
    assert state == "rebuilt" and len(reopened) == len(ids)
    store.close()


def test_search_expansion_grows_with_the_index_within_bounds():
    sizes = [0, 10_000, 100_000, 1_000_000, 10_000_000]
    values = [search_expansion(n) for n in sizes]
    assert values == sorted(values)
    assert values[0] == values[1] == MIN_EXPANSION
    assert values[2] > MIN_EXPANSION and values[-1] == MAX_EXPANSION


def test_search_uses_the_expansion_for_its_size(monkeypatch):
    monkeypatch.setattr(vector_index, "VECTORS_PER_SLOT", 10)  # a small index, a large list
    rng = np.random.default_rng(3)
    index = UsearchIndex(8)
    count = 2_000
    vectors = rng.standard_normal((count, 8)).astype(np.float32)
    index.add(np.arange(1, count + 1), vectors)
    keys, _ = index.search(vectors[7], 5)
    assert keys[0] == 8
    assert index._index.expansion_search == search_expansion(count) > MIN_EXPANSION


def test_vectors_returns_stored_vectors_of_known_keys():
    rng = np.random.default_rng(5)
    vectors = unit(rng, 3)
    index = UsearchIndex(16)
    index.add(np.arange(1, 4), vectors)
    assert index.vectors([]) == {}
    assert index.vectors([9]) == {}
    one = index.vectors([2])
    assert list(one) == [2] and np.allclose(one[2], vectors[1], atol=2e-3)  # f16 storage
    some = index.vectors([3, 9, 1])
    assert sorted(some) == [1, 3] and np.allclose(some[3], vectors[2], atol=2e-3)
