"""The CacheTier contract (get / put / purge_corpus), run against both tiers: L1 in memory and
L2 in a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localchat.cache.memory_tier import MemoryTier
from localchat.cache.response_cache import CacheTier
from localchat.cache.sqlite_tier import SqliteTier
from localchat.store.store import Store


@pytest.fixture(params=["l1", "l2"])
def tier(request, tmp_path) -> Iterator[CacheTier]:
    if request.param == "l1":
        yield MemoryTier(max_entries=100, max_bytes=1 << 20)
        return
    store = Store(tmp_path / "db.sqlite")
    try:
        yield SqliteTier(store, max_entries=100)
    finally:
        store.close()


def test_a_put_value_comes_back_with_its_version(tier):
    assert tier.name in ("l1", "l2")
    assert tier.get("answer:1") is None
    tier.put("answer:1", b"\x00value", kind="answer", version=7)
    tier.put("embedding:1", b"vector", kind="embedding")
    assert tier.get("answer:1") == (b"\x00value", 7)
    assert tier.get("embedding:1") == (b"vector", -1)  # -1: depends on no corpus


def test_a_second_put_replaces_the_value(tier):
    tier.put("k", b"old", kind="answer", version=1)
    tier.put("k", b"new", kind="answer", version=2)
    assert tier.get("k") == (b"new", 2)


def test_purging_below_a_version_keeps_newer_and_corpus_free_entries(tier):
    for version in (1, 2, 3):
        tier.put(f"v{version}", b"x", kind="retrieval", version=version)
    tier.put("free", b"x", kind="embedding")
    assert tier.purge_corpus(below=3) == 2
    assert tier.get("v1") is None and tier.get("v2") is None
    assert tier.get("v3") == (b"x", 3) and tier.get("free") == (b"x", -1)


def test_purging_everything_corpus_dependent(tier):
    tier.put("a", b"x", kind="answer", version=0)
    tier.put("free", b"y", kind="embedding")
    assert tier.purge_corpus() == 1
    assert tier.get("a") is None and tier.get("free") == (b"y", -1)
