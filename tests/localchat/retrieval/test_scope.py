"""Retrieval scoped to a collection: BM25 and vector hits come from its documents only."""

from __future__ import annotations

import numpy as np
import pytest

# Before usearch (via localchat.index), as localchat/commands/evaluate.py explains: usearch's
# extension loaded first makes llama.cpp fail to read a BPE vocabulary later in the session.
import localchat.cache  # noqa: F401
from localchat.config import RagParams
from localchat.embedding.embedder import HashEmbedder
from localchat.errors import CollectionNotFoundError
from localchat.index.vector_index import UsearchIndex
from localchat.retrieval import scope as scope_module
from localchat.retrieval.retriever import Retriever
from localchat.retrieval.scope import Scope, search_within
from localchat.store.store import Store
from tests.factories import new_chunk, new_document

LOOSE = RagParams(chunk_size=1024, chunk_overlap=200, top_k=10, min_similarity=-1.0)
DOCS = {
    "pumps.txt": ("default", "The Zephyr pump must be primed with two litres of water."),
    "cats.txt": ("pets", "Cats sleep for most of the day; a cat's whiskers sense air currents."),
    "dogs.txt": ("pets", "Dogs need a walk twice a day and sleep at night."),
    "tax.txt": ("default", "The quarterly tax return is due after the quarter ends."),
}


def add(store, index, embedder, name, text, collection):
    chunk = new_chunk(text, content_hash=f"h-{name}", token_count=8)
    vectors = {chunk.content_hash: embedder.embed([text])[0]}
    doc = new_document(f"/{name}", sha256=name)
    written = store.write_document(
        doc, [chunk], vectors, model=embedder.model_id, layout="1/0", collection=collection
    )
    index.add(
        np.asarray(written.added_chunk_ids, dtype=np.uint64), np.vstack(list(vectors.values()))
    )
    return written.document_id


@pytest.fixture
def parts(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    embedder = HashEmbedder()
    index = UsearchIndex(embedder.dim)
    for name, (collection, text) in DOCS.items():
        add(store, index, embedder, name, text, collection)
    retriever = Retriever(store, index, embedder)
    yield store, index, embedder, retriever
    retriever.close()
    store.close()


def files(result):
    return {hit.filename for hit in result.hits}


def test_no_collection_means_default(parts):
    *_, retriever = parts
    result = retriever.search("cats sleep whiskers", LOOSE)
    assert result.collection == "default"
    assert files(result) <= {"pumps.txt", "tax.txt"}


def test_a_collection_sees_its_own_documents_in_both_rankings(parts):
    *_, retriever = parts
    result = retriever.search("cats sleep whiskers", LOOSE, collection="Pets")
    assert result.collection == "pets" and files(result) == {"cats.txt", "dogs.txt"}
    assert result.hits[0].filename == "cats.txt"
    assert result.hits[0].bm25_rank == 1 and result.hits[0].vector_rank == 1
    for mode in ("bm25", "vector"):
        assert files(retriever.search("sleep", LOOSE, mode=mode, collection="pets")) <= {
            "cats.txt",
            "dogs.txt",
        }


def test_all_searches_the_whole_library(parts):
    *_, retriever = parts
    result = retriever.search("cats sleep whiskers", LOOSE, collection="all")
    assert result.hits[0].filename == "cats.txt" and len(files(result)) == 4


def test_an_unknown_collection_is_a_clear_error(parts):
    *_, retriever = parts
    with pytest.raises(CollectionNotFoundError) as caught:
        retriever.search("cats", LOOSE, collection="papers")
    assert "default, pets" in caught.value.hint


def test_joining_a_collection_is_seen_by_the_next_search(parts):
    store, *_, retriever = parts
    assert "pumps.txt" not in files(retriever.search("pump primed", LOOSE, collection="pets"))
    pumps = next(d.id for d in store.list_documents() if d.filename == "pumps.txt")
    store.add_to_collection([pumps], "pets")
    assert "pumps.txt" in files(retriever.search("pump primed", LOOSE, collection="pets"))


def test_a_collection_holding_every_document_searches_unfiltered(parts):
    store, *_, retriever = parts
    assert not retriever.scopes.get("default").whole
    store.add_to_collection([d.id for d in store.list_documents()], "default")
    assert retriever.scopes.get("default").whole


def brute_force(index, keys, query, count):
    found = index.vectors([int(k) for k in keys])
    ids = np.array(list(found), dtype=np.uint64)
    matrix = np.vstack(list(found.values()))
    sims = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    return ids[np.argsort(-sims)][:count]


@pytest.mark.parametrize("exact_max", [0, 10_000])  # the over-fetch path, the exact path
def test_scoped_vector_search_finds_the_collections_nearest(monkeypatch, exact_max):
    monkeypatch.setattr(scope_module, "EXACT_MAX_KEYS", exact_max)
    rng = np.random.default_rng(7)
    index = UsearchIndex(32)
    vectors = rng.standard_normal((2000, 32)).astype(np.float32)
    index.add(np.arange(2000, dtype=np.uint64), vectors)
    allowed = np.sort(rng.choice(2000, 60, replace=False)).astype(np.uint64)
    query = rng.standard_normal(32).astype(np.float32)
    keys, sims = search_within(index, query, 10, Scope("few", allowed))
    assert len(keys) == 10 and set(keys.tolist()) <= set(allowed.tolist())
    assert list(sims) == sorted(sims, reverse=True)
    expected = brute_force(index, allowed, query, 10)
    assert len(set(keys.tolist()) & set(expected.tolist())) >= 9  # f16 ties may swap one


def test_a_collection_smaller_than_the_request_returns_all_of_it(monkeypatch):
    monkeypatch.setattr(scope_module, "EXACT_MAX_KEYS", 0)
    rng = np.random.default_rng(3)
    index = UsearchIndex(16)
    index.add(np.arange(500, dtype=np.uint64), rng.standard_normal((500, 16)).astype(np.float32))
    allowed = np.array([3, 250, 499], dtype=np.uint64)
    keys, _ = search_within(
        index, rng.standard_normal(16).astype(np.float32), 10, Scope("x", allowed)
    )
    assert sorted(keys.tolist()) == [3, 250, 499]
    assert search_within(index, np.ones(16, np.float32), 5, Scope("none", allowed[:0]))[0].size == 0


def test_scope_membership_mask():
    scope = Scope("x", np.array([2, 5, 9], dtype=np.uint64))
    assert scope.contains(np.array([1, 2, 9, 10], dtype=np.uint64)).tolist() == [
        False,
        True,
        True,
        False,
    ]
