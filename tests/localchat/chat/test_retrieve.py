"""The retrieval step of an answer: the chat service asks the cache's retrieval tier, runs the
search on a miss and stores it (the cache itself never runs a search)."""

from __future__ import annotations

from types import SimpleNamespace

from localchat.cache.response_cache import ResponseCache
from localchat.chat.retrieve import retrieve
from localchat.config import PRESETS, CacheSettings
from localchat.embedding.embedder import HashEmbedder
from localchat.retrieval.retriever import Hit, Retrieval
from localchat.telemetry import RecordingTelemetry
from tests.factories import new_chunk, new_document


class CountingRetriever:
    def __init__(self):
        self.embedder = HashEmbedder()
        self.candidates, self.rrf_k, self.searches = 100, 60, 0

    def search(self, query, params, collection="default"):
        self.searches += 1
        hit = Hit(1, 1, "a.md", 1, 0, "", f"text for {query}", fused=0.5, relevance=1.0)
        dropped = Hit(2, 1, "a.md", 1, 1, "", "cut", dropped="beyond top_k 1")
        return Retrieval(query, "hybrid", params, [hit], [dropped], [query], {"total_ms": 5.0})


def runtime_over(store, **cache_settings):
    telemetry = RecordingTelemetry()
    cache = ResponseCache(CacheSettings(**cache_settings), store, HashEmbedder(), telemetry.cache)
    return SimpleNamespace(retriever=CountingRetriever(), cache=cache, telemetry=telemetry)


def test_a_retrieval_is_searched_once_per_corpus_version(store):
    runtime, params = runtime_over(store), PRESETS["balanced"]
    first = retrieve(runtime, "pump", params)
    again = retrieve(runtime, "pump", params)
    assert runtime.retriever.searches == 1
    assert again.hits == first.hits and again.params == params
    assert first.dropped and again.dropped == []  # "explain" candidates are not cached
    retrieve(runtime, "pump", params, use_cache=False)  # afresh, and refreshes the entry
    retrieve(runtime, "pump", PRESETS["fast"])
    assert runtime.retriever.searches == 3
    doc = new_document("/b.md", sha256="b", title="b")
    store.write_document(doc, [new_chunk("b", content_hash="hb")], {}, model="m", layout="1/0")
    retrieve(runtime, "pump", params)
    assert runtime.retriever.searches == 4
    timed = [c for c in runtime.telemetry.calls if c[0] == "retrieval"]
    assert len(timed) == 5 and all(c[2] == 1 for c in timed)  # every call, hit or not


def test_without_a_cache_every_retrieval_searches(store):
    runtime = runtime_over(store, enabled=False)
    retrieve(runtime, "pump", PRESETS["balanced"])
    retrieve(runtime, "pump", PRESETS["balanced"])
    assert runtime.retriever.searches == 2
    runtime.cache = None
    retrieve(runtime, "pump", PRESETS["balanced"])
    assert runtime.retriever.searches == 3
