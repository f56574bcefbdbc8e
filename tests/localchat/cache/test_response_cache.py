"""The tiered cache over a real SQLite store: eligibility, tiers, never stale, faults."""

from __future__ import annotations

import msgspec

from localchat.cache.keys import AnswerKey, answer_key, retrieval_key
from localchat.cache.response_cache import ResponseCache
from localchat.config import PRESETS, CacheSettings
from localchat.embedding.embedder import HashEmbedder
from localchat.generation.base import ChatMessage, GenerationParams
from localchat.store.store import Store
from localchat.telemetry import RecordingTelemetry
from tests.factories import new_chunk, new_document


def make_cache(store, **settings) -> ResponseCache:
    telemetry = RecordingTelemetry()
    cache = ResponseCache(CacheSettings(**settings), store, HashEmbedder(), telemetry.cache)
    cache.telemetry = telemetry  # for the assertions
    return cache


def key(question="How do I prime the Zephyr pump?", *, preset="balanced", **params) -> AnswerKey:
    return answer_key(
        [ChatMessage("user", question)],
        GenerationParams(**({"temperature": 0.0} | params)),
        system_prompt="rules",
        generator="scripted",
        embedder="hash-embedder-384",
        preset=preset,
        rag=None if preset is None else PRESETS[preset],
        candidates=100,
        rrf_k=60,
    )


def change_corpus(store: Store, name: str = "a.txt") -> None:
    text = f"text of {name}"
    chunk = new_chunk(text, content_hash=f"h-{name}")
    doc = new_document(f"/{name}", sha256=name, title=name)
    store.write_document(doc, [chunk], {}, model="m", layout="1/0")


def cache_calls(cache):
    return [c[1:] for c in cache.telemetry.calls if c[0] == "cache" and c[1] != "embedding"]


def test_sampled_requests_are_not_cached_unless_seeded_or_allowed(store):
    cache = make_cache(store)
    assert cache.answer_ticket(key(temperature=0.7)) is None
    assert cache.answer_ticket(key(temperature=0.7, seed=1)) is not None
    assert cache.answer_ticket(key(temperature=0.0)) is not None
    assert make_cache(store, cache_sampled=True).answer_ticket(key(temperature=0.7)) is not None
    assert make_cache(store, enabled=False).answer_ticket(key()) is None


def test_miss_then_l1_then_l2_in_a_new_process(store):
    cache = make_cache(store)
    ticket = cache.answer_ticket(key())
    assert cache.lookup_answer(ticket) is None
    assert cache_calls(cache) == [("l1", False), ("l2", False), ("semantic", False)]
    cache.store_answer(ticket, b"answer")
    assert cache.lookup_answer(cache.answer_ticket(key()))[:2] == (b"answer", "l1")
    cache.close()

    restarted = make_cache(store)
    assert restarted.lookup_answer(restarted.answer_ticket(key()))[:2] == (b"answer", "l2")
    assert cache_calls(restarted) == [("l1", False), ("l2", True)]
    assert restarted.lookup_answer(restarted.answer_ticket(key())).tier == "l1"


def test_no_cache_skips_the_lookup_but_refreshes_the_entry(store):
    cache = make_cache(store)
    cache.store_answer(cache.answer_ticket(key()), b"old")
    bypass = cache.answer_ticket(key(), use_cache=False)
    assert cache.lookup_answer(bypass) is None and cache_calls(cache) == []
    cache.store_answer(bypass, b"new")
    assert cache.lookup_answer(cache.answer_ticket(key())).value == b"new"
    assert make_cache(store).lookup_answer(cache.answer_ticket(key())).value == b"new"


def test_a_corpus_change_makes_old_answers_unreachable_and_purges_them(store):
    cache = make_cache(store)
    cache.store_answer(cache.answer_ticket(key()), b"before")
    plain = cache.answer_ticket(key(preset=None))
    cache.store_answer(plain, b"no retrieval")
    change_corpus(store)
    ticket = cache.answer_ticket(key())
    assert cache.lookup_answer(ticket) is None
    kinds = dict(store.read("SELECT kind, count(*) FROM cache_entries GROUP BY kind"))
    assert kinds["answer"] == 1  # the plain chat answer: it never read the corpus
    # Only the corpus-free answer (and query vectors) survive, in both tiers.
    versions = {v for (v,) in store.read("SELECT corpus_version FROM cache_entries")}
    assert versions == {-1}
    assert cache.lookup_answer(cache.answer_ticket(key(preset=None))).value == b"no retrieval"


def test_an_answer_computed_across_a_corpus_change_is_not_stored(store):
    cache = make_cache(store)
    ticket = cache.answer_ticket(key())
    change_corpus(store)  # another process ingested while we generated
    cache.store_answer(ticket, b"maybe stale")
    assert cache.lookup_answer(cache.answer_ticket(key())) is None

    ticket = cache.answer_ticket(key())
    cache.invalidate()  # this process ingested (SQLite and vector index both updated)
    cache.store_answer(ticket, b"maybe stale")
    assert cache.lookup_answer(cache.answer_ticket(key())) is None
    assert store.read("SELECT count(*) FROM cache_entries WHERE kind = 'answer'")[0][0] == 0


def test_invalidate_drops_every_corpus_entry_but_keeps_query_vectors(store):
    cache = make_cache(store)
    cache.store_answer(cache.answer_ticket(key()), b"a")
    cache.embed_query("a question")
    cache.invalidate()
    assert cache.lookup_answer(cache.answer_ticket(key())) is None
    assert store.read("SELECT DISTINCT kind FROM cache_entries") == [("embedding",)]


def test_a_near_duplicate_question_is_a_semantic_hit_only_in_the_same_context(store):
    cache = make_cache(store)
    cache.store_answer(cache.answer_ticket(key("How do I prime the Zephyr pump?")), b"prime it")
    hit = cache.lookup_answer(cache.answer_ticket(key("how do I prime the zephyr pump")))
    assert hit[:2] == (b"prime it", "semantic")
    # The rephrasing is now an exact L1 hit.
    assert cache.lookup_answer(cache.answer_ticket(key("how do I prime the zephyr pump"))).tier == (
        "l1"
    )
    for other in (
        key("how do I prime the zephyr pump?!", preset="fast"),
        key("how do I prime the zephyr pump?!", max_tokens=7),
        key("How do I clean the Zephyr pump filter?"),
    ):
        assert cache.lookup_answer(cache.answer_ticket(other)) is None
    change_corpus(store)
    assert cache.lookup_answer(cache.answer_ticket(key("how do I prime the zephyr pump!"))) is None


def test_semantic_tier_can_be_switched_off(store):
    cache = make_cache(store, semantic=False)
    cache.store_answer(cache.answer_ticket(key("How do I prime the Zephyr pump?")), b"a")
    assert cache.lookup_answer(cache.answer_ticket(key("how do I prime the zephyr pump"))) is None
    assert ("semantic", False) not in cache_calls(cache)


def test_retrievals_are_cached_per_corpus_version(store):
    cache, params = make_cache(store), PRESETS["balanced"]

    def parts(query="pump", rag=params):
        return retrieval_key("m", query, rag, mode="hybrid", candidates=100, rrf_k=60)

    first = cache.retrieval_ticket(parts())
    assert cache.lookup_retrieval(first) is None
    cache.store_retrieval(first, b"found")
    assert cache.lookup_retrieval(cache.retrieval_ticket(parts())) == b"found"
    assert cache.lookup_retrieval(cache.retrieval_ticket(parts(), use_cache=False)) is None
    assert cache.lookup_retrieval(cache.retrieval_ticket(parts(rag=PRESETS["fast"]))) is None
    assert cache.lookup_retrieval(cache.retrieval_ticket(parts("pumps"))) is None
    change_corpus(store)
    assert cache.lookup_retrieval(cache.retrieval_ticket(parts())) is None
    assert ("retrieval", True) in cache_calls(cache)
    assert make_cache(store, enabled=False).retrieval_ticket(parts()) is None


def test_a_retrieval_made_while_the_corpus_changed_is_not_stored(store):
    cache = make_cache(store)
    parts = retrieval_key("m", "pump", PRESETS["balanced"], mode="hybrid", candidates=1, rrf_k=1)
    ticket = cache.retrieval_ticket(parts)
    change_corpus(store)  # a document arrived while the search ran
    cache.store_retrieval(ticket, b"stale")
    assert cache.lookup_retrieval(cache.retrieval_ticket(parts)) is None


def test_a_retrieval_is_cached_per_collection(store):
    cache, params = make_cache(store), PRESETS["balanced"]

    def parts(collection):
        return retrieval_key(
            "m", "pump", params, mode="hybrid", candidates=100, rrf_k=60, collection=collection
        )

    cache.store_retrieval(cache.retrieval_ticket(parts("default")), b"default's")
    assert cache.lookup_retrieval(cache.retrieval_ticket(parts("papers"))) is None
    cache.store_retrieval(cache.retrieval_ticket(parts("papers")), b"papers'")
    assert cache.lookup_retrieval(cache.retrieval_ticket(parts("papers"))) == b"papers'"
    assert cache.lookup_retrieval(cache.retrieval_ticket(parts("default"))) == b"default's"


def test_query_embeddings_persist_and_are_reported(store):
    cache = make_cache(store)
    vector = cache.embed_query("prime the pump")
    restarted = make_cache(store)
    assert restarted.query_embeddings.get("prime the pump") is not None
    assert (restarted.query_embeddings.get("prime the pump") == vector).all()
    assert ("cache", "embedding", True) in restarted.telemetry.calls
    assert restarted.query_embeddings.get("another text") is None


def test_a_broken_l2_costs_speed_not_answers(store):
    cache = make_cache(store)
    with store.transaction() as conn:
        conn.execute("DROP TABLE cache_entries")
    ticket = cache.answer_ticket(key())
    assert cache.lookup_answer(ticket) is None
    cache.store_answer(ticket, b"still answers")
    assert cache.lookup_answer(cache.answer_ticket(key()))[:2] == (b"still answers", "l1")


def test_stats_count_both_tiers(store):
    cache = make_cache(store)
    cache.store_answer(cache.answer_ticket(key(preset=None)), b"x" * 100)
    stats = cache.stats()
    assert stats["l1_entries"] >= 1 and stats["l2_entries"] >= 1 and stats["l1_bytes"] > 100
    assert msgspec.json.encode(stats)


def test_a_candidate_whose_answer_was_evicted_is_a_miss_and_is_dropped(store):
    cache = make_cache(store)
    ticket = cache.answer_ticket(key("How do I prime the Zephyr pump?"))
    cache.store_answer(ticket, b"prime it")
    cache.memory.delete(ticket.key)
    cache.sqlite.delete([ticket.key])
    assert cache.lookup_answer(cache.answer_ticket(key("how do i prime the zephyr pump"))) is None
    assert store.read("SELECT count(*) FROM cache_entries WHERE kind = 'candidate'")[0][0] == 0
