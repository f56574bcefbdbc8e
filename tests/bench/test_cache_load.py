"""bench_cache against a fake OpenAI endpoint that answers from a cache the way the server does."""

from __future__ import annotations

import json
import time

import httpx

from bench.cache_load import bench_cache
from localchat.cache.semantic import normalise


class FakeServer:
    """Answers slowly on a miss; tiers as the real server would name them."""

    def __init__(self) -> None:
        self.l1: set[str] = set()
        self.l2: set[str] = set()
        self.requests: list[dict] = []

    def restart(self) -> str:
        self.l1.clear()
        return "http://restarted"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/health/ready":
            return httpx.Response(200, json={"status": "ready"})
        body = json.loads(request.content)
        self.requests.append(body | {"host": request.url.host})
        question = body["messages"][-1]["content"]
        tier = self.tier(question, request.headers.get("cache-control") == "no-cache")
        self.l1.add(question)
        self.l2.add(question)
        return httpx.Response(200, json={"choices": []}, headers={"X-LocalChat-Cache": tier})

    def tier(self, question: str, fresh: bool) -> str:
        if fresh:
            time.sleep(0.05)
            return "miss"
        if question in self.l1:
            return "l1"
        if question in self.l2:
            return "l2"
        if any(normalise(q) == normalise(question) for q in self.l2):
            return "semantic"
        time.sleep(0.05)
        return "miss"


def test_bench_measures_each_tier_and_checks_the_header():
    server = FakeServer()
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        report = bench_cache(
            "http://fake",
            "How do I prime the pump?",
            restart=server.restart,
            rephrasings=["how do i prime the pump", "HOW DO I PRIME THE PUMP"],
            repeats=3,
            client=client,
        )
    assert report["ok"], report["tiers"]
    assert report["tiers"]["l1"] == ["l1"] * 3 and report["tiers"]["l2"] == ["l2"]
    assert report["uncached_ms"] >= 50
    for tier in ("l1", "l2", "semantic"):
        assert 0 < report[f"{tier}_ms"] < report["uncached_ms"]
        assert report["speedup"][tier] > 1
    assert all(r["temperature"] == 0 and r["stream"] is False for r in server.requests)
    assert server.requests[-1]["host"] == "restarted"


def test_without_restart_l2_is_not_measured_and_a_wrong_tier_is_flagged():
    server = FakeServer()
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        report = bench_cache(
            "http://fake", "pump?", rephrasings=["something else"], repeats=1, client=client
        )
    assert report["l2_ms"] is None and report["speedup"]["l2"] is None
    assert report["tiers"]["semantic"] == ["miss"] and report["ok"] is False
