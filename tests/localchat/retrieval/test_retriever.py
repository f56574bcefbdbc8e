"""Hybrid retrieval over a real SQLite store and USearch index, with the hash embedder."""

from __future__ import annotations

import numpy as np
import pytest

from localchat.config import PRESETS
from localchat.embedding.embedder import HashEmbedder
from localchat.index.vector_index import UsearchIndex
from localchat.retrieval.retriever import Retriever
from localchat.store.store import Store
from tests.factories import new_chunk, new_document

TEXTS = {
    "pumps.txt": [
        "The Zephyr pump must be primed with two litres of water before first use.",
        "Clean the pump filter every month to keep the flow rate steady.",
    ],
    "cats.txt": [
        "Cats sleep for most of the day and hunt at dusk.",
        "A cat's whiskers sense tiny changes in air currents.",
    ],
    "tax.txt": ["The quarterly tax return is due on the fifteenth day after the quarter ends."],
}


@pytest.fixture
def retriever(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    embedder = HashEmbedder()
    index = UsearchIndex(embedder.dim)
    for name, texts in TEXTS.items():
        chunks = [
            new_chunk(t, i, content_hash=f"{name}{i}", token_count=5) for i, t in enumerate(texts)
        ]
        vectors = dict(zip([c.content_hash for c in chunks], embedder.embed(texts), strict=True))
        doc = new_document(f"/{name}", sha256=name, title=name)
        r = store.write_document(doc, chunks, vectors, model=embedder.model_id, layout="1/0")
        index.add(
            np.asarray(r.added_chunk_ids, dtype=np.uint64),
            np.vstack([vectors[c.content_hash] for c in chunks]),
        )
    yield Retriever(store, index, embedder)
    store.close()


def loose(top_k=10):
    return PRESETS["balanced"].__class__(
        chunk_size=1024, chunk_overlap=200, top_k=top_k, min_similarity=-1.0
    )


def test_hybrid_puts_the_matching_passage_first_with_a_full_breakdown(retriever):
    result = retriever.search("how do I prime the Zephyr pump?", loose())
    best = result.hits[0]
    assert best.filename == "pumps.txt" and best.chunk_index == 0
    assert best.bm25_rank == 1 and best.vector_rank is not None and best.cosine is not None
    assert 0 < best.relevance <= 1.0
    assert result.terms == ["prime", "zephyr", "pump"]
    assert {"bm25_ms", "vector_ms", "total_ms"} <= result.timings_ms.keys()


def test_modes_use_one_list_each(retriever):
    bm25 = retriever.search("cat whiskers", loose(), mode="bm25")
    assert all(h.vector_rank is None for h in bm25.hits)
    vector = retriever.search("cat whiskers", loose(), mode="vector")
    assert all(h.bm25_rank is None for h in vector.hits)


def test_min_similarity_and_top_k_drops_are_explained(retriever):
    params = PRESETS["fast"].__class__(
        chunk_size=512, chunk_overlap=100, top_k=1, min_similarity=0.99
    )
    result = retriever.search(
        "Zephyr pump primed with two litres of water before first use", params
    )
    assert len(result.hits) <= 1
    reasons = [h.dropped for h in result.dropped]
    assert reasons and all(r.startswith(("cosine", "beyond top_k")) for r in reasons)
    assert all(h.cosine is not None for h in result.dropped)  # BM25-only hits get a cosine too


def test_fts_syntax_in_query_does_not_raise(retriever):
    result = retriever.search('pump" OR NEAR( * ^col:x AND', loose())
    assert result.hits[0].filename == "pumps.txt"


def test_empty_query_returns_nothing_gracefully(retriever):
    result = retriever.search("   ", loose(), mode="bm25")
    assert result.hits == [] and result.terms == []


def test_min_similarity_cuts_vector_only_hits_never_keyword_matches(retriever):
    params = loose().__class__(chunk_size=1024, chunk_overlap=200, top_k=10, min_similarity=0.999)
    result = retriever.search("quarterly tax return", params)
    assert [h.filename for h in result.hits] == ["tax.txt"]  # BM25 found it: kept
    assert result.hits[0].cosine < 0.999
    assert all(h.bm25_rank is None for h in result.dropped if h.dropped.startswith("cosine"))


def test_a_rechunk_in_progress_serves_one_layout_and_ranks_count_served_hits(retriever):
    # A re-chunk writes the pumps document's new layout beside the old one, vectors and all:
    # the index then holds both, and only the layout being served may come back.
    store, index, embedder = retriever.store, retriever.index, retriever.embedder
    (pumps,) = [d for d in store.list_documents() if d.filename == "pumps.txt"]
    texts = ["The Zephyr pump must be primed with two litres of water, new layout."]
    chunks = [new_chunk(texts[0], 0, content_hash="pumps-new", token_count=5)]
    vectors = dict(zip(["pumps-new"], embedder.embed(texts), strict=True))
    added = store.add_layout_chunks(
        pumps.id, chunks, vectors, model=embedder.model_id, layout="2/0"
    ).added_chunk_ids
    index.add(np.asarray(added, dtype=np.uint64), embedder.embed(texts))

    for mode in ("vector", "hybrid", "bm25"):
        result = retriever.search("Zephyr pump primed with two litres of water", loose(), mode=mode)
        found = [h.chunk_id for h in result.hits + result.dropped]
        assert added[0] not in found, mode
        assert [h.filename for h in result.hits[:1]] == ["pumps.txt"], mode
        ranks = sorted(h.vector_rank for h in result.hits + result.dropped if h.vector_rank)
        assert ranks == list(range(1, len(ranks) + 1)), mode  # no gap where the new one was

    store.swap_layout("2/0")  # now the new layout is the one served
    result = retriever.search("Zephyr pump primed with two litres of water", loose(), mode="vector")
    assert result.hits[0].chunk_id == added[0] and result.hits[0].vector_rank == 1


def test_cosines_of_bm25_only_hits_equal_the_vectors_cosines(retriever):
    query = retriever.embed_query("tax")
    keys = [h.chunk_id for h in retriever.search("tax return", loose()).hits]
    cosines = retriever._cosines(keys, query)
    stored = retriever.index.vectors(keys)
    assert cosines.keys() == stored.keys() and cosines
    for key, vector in stored.items():
        expected = float(vector @ query) / (np.linalg.norm(vector) * np.linalg.norm(query))
        assert cosines[key] == pytest.approx(expected, abs=1e-6)
