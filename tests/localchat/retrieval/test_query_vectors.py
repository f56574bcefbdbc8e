"""QueryVectors: one embedding per query text, shared by the retriever and the answer cache."""

from __future__ import annotations

import numpy as np

from localchat.cache.response_cache import ResponseCache
from localchat.config import CacheSettings
from localchat.embedding.embedder import HashEmbedder
from localchat.retrieval.query_vectors import QueryVectors
from localchat.store.store import Store


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=16)
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        return super().embed(texts)


class DictMemo(dict):
    def put(self, text, vector):
        self[text] = vector


def test_without_a_memo_every_call_embeds():
    embedder = CountingEmbedder()
    vectors = QueryVectors(embedder)
    first, second = vectors.embed("prime the pump"), vectors.embed("prime the pump")
    assert len(embedder.calls) == 2 and first.dtype == np.float32
    assert np.array_equal(first, second)


def test_a_memo_embeds_each_text_once():
    embedder, memo = CountingEmbedder(), DictMemo()
    vectors = QueryVectors(embedder, memo)
    vector = vectors.embed("prime the pump")
    assert vectors.embed("prime the pump") is vector and embedder.calls == [["prime the pump"]]
    vectors.embed("drain the tank")
    assert len(embedder.calls) == 2 and set(memo) == {"prime the pump", "drain the tank"}


def test_the_answer_cache_and_a_retriever_share_one_embedding(tmp_path):
    from localchat.retrieval.retriever import Retriever

    embedder, store = CountingEmbedder(), Store(tmp_path / "db.sqlite")
    try:
        cache = ResponseCache(CacheSettings(), store, embedder, lambda tier, hit: None)
        retriever = Retriever(store, None, embedder, query_vectors=cache.query_vectors)
        assert retriever.query_vectors is cache.query_vectors  # one QueryVectors, not two
        try:
            from_cache = cache.embed_query("how do I prime the pump?")
            from_retriever = retriever.embed_query("how do I prime the pump?")
        finally:
            retriever.close()
        assert np.array_equal(from_cache, from_retriever)
        assert embedder.calls == [["how do I prime the pump?"]]
    finally:
        store.close()
