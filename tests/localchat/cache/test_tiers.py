"""L1 (memory LRU) and L2 (SQLite) tiers: bounds, eviction order, persistence, purges."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from localchat.cache.memory_tier import ENTRY_OVERHEAD, MemoryTier
from localchat.cache.sqlite_tier import SqliteTier
from localchat.store.store import Store


def test_l1_evicts_the_least_recently_used_entry_first():
    tier = MemoryTier(max_entries=2, max_bytes=10**6)
    tier.put("a", b"1")
    tier.put("b", b"2")
    assert tier.get("a") == (b"1", -1)  # a is now the most recent
    tier.put("c", b"3")
    assert tier.get("b") is None
    assert tier.get("a") is not None and tier.get("c") is not None


def test_l1_is_bounded_by_bytes_and_skips_values_larger_than_the_budget():
    budget = 3 * (1 + 100 + ENTRY_OVERHEAD)
    tier = MemoryTier(max_entries=100, max_bytes=budget)
    for name in "abcd":
        tier.put(name, b"x" * 100)
    assert len(tier) == 3 and tier.get("a") is None
    assert tier.bytes_used <= budget
    tier.put("huge", b"x" * budget)
    assert tier.get("huge") is None and len(tier) == 3


@settings(max_examples=100)
@given(
    st.lists(st.tuples(st.sampled_from("abcdefgh"), st.binary(max_size=300)), max_size=60),
    st.integers(1, 5),
    st.integers(200, 2000),
)
def test_l1_never_exceeds_either_bound_and_counts_bytes_exactly(puts, entries, budget):
    tier = MemoryTier(entries, budget)
    for key, value in puts:
        tier.put(key, value)
        assert len(tier) <= entries and tier.bytes_used <= budget
    expected = sum(len(k) + len(v) + ENTRY_OVERHEAD for k, (v, _) in tier._items.items())
    assert tier.bytes_used == expected


def test_l1_purges_corpus_entries_by_version_and_keeps_corpus_free_ones():
    tier = MemoryTier(10, 10**6)
    tier.put("embedding", b"v", version=-1)
    tier.put("old", b"v", version=3)
    tier.put("new", b"v", version=4)
    assert tier.purge_corpus(below=4) == 1
    assert tier.get("old") is None and tier.get("new") is not None
    assert tier.purge_corpus() == 1
    assert tier.get("new") is None and tier.get("embedding") is not None


def test_l2_survives_reopening_the_store(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    SqliteTier(store, 100).put("answer:1", b"cached", kind="answer", version=7)
    store.close()
    reopened = Store(tmp_path / "db.sqlite")
    assert SqliteTier(reopened, 100).get("answer:1") == (b"cached", 7)
    reopened.close()


def test_l2_evicts_by_least_recent_use_and_stays_within_its_bound(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    tier = SqliteTier(store, 3)
    for name in "abc":
        tier.put(name, b"v", kind="answer")
        time.sleep(0.01)
    assert tier.get("a") is not None  # a used again: b is now the oldest
    time.sleep(0.01)
    tier.put("d", b"v", kind="answer")  # carries a's recency with it, then evicts
    assert tier.count() <= 3
    assert tier.get("b") is None
    assert tier.get("a") is not None and tier.get("d") is not None
    store.close()


def test_l2_hit_recency_is_written_on_flush(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    tier = SqliteTier(store, 10)
    tier.put("k", b"v", kind="answer")
    before = store.read("SELECT used_at FROM cache_entries WHERE key = 'k'")[0][0]
    time.sleep(0.01)
    tier.get("k")
    tier.flush()
    after = store.read("SELECT used_at FROM cache_entries WHERE key = 'k'")[0][0]
    assert after > before
    store.close()


def test_l2_purge_and_prefix_scan(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    tier = SqliteTier(store, 100)
    tier.put("candidate:ctx1:a", b"1", kind="candidate", version=2)
    tier.put("candidate:ctx1:b", b"2", kind="candidate", version=3)
    tier.put("candidate:ctx2:c", b"3", kind="candidate", version=3)
    tier.put("embedding:x", b"4", kind="embedding", version=-1)
    assert {k for k, _ in tier.scan("candidate:ctx1:", 10)} == {
        "candidate:ctx1:a",
        "candidate:ctx1:b",
    }
    assert tier.purge_corpus(below=3) == 1
    assert tier.get("candidate:ctx1:a") is None and tier.get("candidate:ctx1:b") is not None
    assert tier.purge_corpus() == 2
    assert tier.count() == 1 and tier.get("embedding:x") is not None
    store.close()


def test_l2_with_no_room_is_off(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    tier = SqliteTier(store, 0)
    tier.put("k", b"v", kind="answer")
    assert tier.get("k") is None and tier.count() == 0
    store.close()
