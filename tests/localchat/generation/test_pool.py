"""GeneratorPool: leases keep a model to the end of an answer; switches load first, then swap."""

from __future__ import annotations

import threading

import pytest

from localchat.generation.base import ChatMessage, GenerationParams, collect
from localchat.generation.pool import GeneratorPool
from localchat.generation.scripted import ScriptedGenerator


class Named(ScriptedGenerator):
    def __init__(self, name: str) -> None:
        super().__init__([f"answer from {name}"])
        self.model_id = name
        self.closed = False

    def close(self) -> None:
        self.closed = True


def make_pool(max_loaded: int = 2):
    opened: list[str] = []

    def opener(name):
        opened.append(name or "default")
        return Named(name or "default")

    return GeneratorPool(opener, max_loaded=max_loaded, bundled_id="default"), opened


def test_active_loads_once_and_is_bundled_until_switched():
    pool, opened = make_pool()
    assert pool.active.model_id == "default" and pool.active is pool.active
    assert opened == ["default"] and pool.is_bundled()
    pool.switch("qwen")
    assert pool.active.model_id == "qwen" and not pool.is_bundled()
    assert pool.loaded_ids() == ["qwen", "default"]


def test_a_leased_model_stays_open_across_a_switch_and_closes_after():
    pool, _ = make_pool(max_loaded=1)
    old = pool.active
    with pool.lease() as leased:
        pool.switch("qwen")  # with room for one model the old one is retired...
        assert leased is old and not old.closed  # ...but not closed under a running answer
        text = collect(leased.stream([ChatMessage("user", "hi")], GenerationParams())).text
        assert text == "answer from default"
    assert old.closed
    with pool.lease() as now:
        assert now.model_id == "qwen"


def test_named_leases_load_on_demand_and_evict_least_recently_used():
    pool, opened = make_pool(max_loaded=2)
    assert pool.active.model_id == "default"
    with pool.lease("a") as a:
        assert a.model_id == "a"
    with pool.lease("a") as again:
        assert again is a
    with pool.lease("b") as b:
        assert b.model_id == "b"
    assert a.closed and opened == ["default", "a", "b"]
    pool.close()
    assert b.closed


def test_switching_to_a_loaded_model_reuses_it():
    pool, opened = make_pool(max_loaded=3)
    assert pool.active.model_id == "default"
    with pool.lease("b"):
        pass
    pool.switch("b")
    assert opened == ["default", "b"]
    assert pool.switch("b") is pool.active


def test_a_failed_load_leaves_the_active_model_serving():
    def opener(name):
        if name == "broken":
            raise RuntimeError("bad file")
        return Named(name or "default")

    pool = GeneratorPool(opener)
    before = pool.active
    with pytest.raises(RuntimeError):
        pool.switch("broken")
    assert pool.active is before and not before.closed


def test_concurrent_leases_and_switches_never_close_a_model_in_use():
    pool, _ = make_pool(max_loaded=1)
    errors: list[BaseException] = []

    def ask():
        try:
            for _ in range(50):
                with pool.lease() as generator:
                    assert not generator.closed
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for n in range(20):
        pool.switch(f"m{n % 3}")
    for thread in threads:
        thread.join()
    assert errors == []
