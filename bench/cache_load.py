"""Cache speed over HTTP: one question uncached, then from L1, from L2 after a restart, and
from the semantic tier (a rephrasing), as `localchat bench` reports it."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

import httpx

CACHE_HEADER = "X-LocalChat-Cache"
WARMUP_QUESTION = "Warm-up: which documents are there?"


def bench_cache(
    base_url: str,
    question: str,
    *,
    restart: Callable[[], str | None] | None = None,
    rephrasings: Sequence[str] = (),
    model: str = "localchat",
    repeats: int = 5,
    max_tokens: int | None = None,
    api_key: str = "",
    timeout: float = 600.0,
    client: httpx.Client | None = None,
) -> dict:
    """Milliseconds per tier (client side, whole request) and speed-ups against the uncached ask.

    `restart` stops and starts the server (it may return a new base URL); without it L2 is
    not measured. After a restart one unrelated question warms the process (models loaded),
    so L2 is compared with the uncached answer of an equally warm server. Each rephrasing
    (default: the question in lower case) is asked once: the first ask of a wording is the
    semantic tier, the next would be L1. Requests use temperature 0: sampled answers are not
    cached by default.
    """
    bench = _Bench(base_url, model, max_tokens, api_key, timeout, client)
    try:
        uncached = bench.ask(question, fresh=True)
        l1 = [bench.ask(question) for _ in range(max(1, repeats))]
        l2 = None
        if restart is not None:
            bench.restarted(restart())
            bench.ask(WARMUP_QUESTION, fresh=True)
            l2 = bench.ask(question)
        semantic = [bench.ask(text) for text in (rephrasings or [question.lower()])]
    finally:
        bench.close()
    return _report(question, uncached, l1, l2, semantic)


class _Bench:
    def __init__(self, base_url, model, max_tokens, api_key, timeout, client) -> None:
        self.base_url = base_url.rstrip("/")
        self.model, self.max_tokens, self.timeout = model, max_tokens, timeout
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._own = client is None
        self.client = client or httpx.Client(timeout=timeout, headers=headers)

    def ask(self, question: str, *, fresh: bool = False) -> tuple[float, str]:
        """(milliseconds, X-LocalChat-Cache) of one non-streaming chat completion."""
        body: dict = {
            "model": self.model,
            "messages": [{"role": "user", "content": question}],
            "temperature": 0,
            "stream": False,
        }
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        headers = {"Cache-Control": "no-cache"} if fresh else {}
        started = time.perf_counter()
        response = self.client.post(
            f"{self.base_url}/v1/chat/completions", json=body, headers=headers
        )
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        return elapsed, response.headers.get(CACHE_HEADER, "")

    def restarted(self, new_url: str | None) -> None:
        if new_url:
            self.base_url = new_url.rstrip("/")
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                if self.client.get(f"{self.base_url}/api/health/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"the server at {self.base_url} was not ready after the restart")

    def close(self) -> None:
        if self._own:
            self.client.close()


def _report(question, uncached, l1, l2, semantic) -> dict:
    uncached_ms = uncached[0]
    tiers_ms = {
        "l1": statistics.median(ms for ms, _ in l1),
        "l2": None if l2 is None else l2[0],
        "semantic": statistics.median(ms for ms, _ in semantic),
    }
    seen = {
        "uncached": [uncached[1]],
        "l1": [tier for _, tier in l1],
        "l2": [] if l2 is None else [l2[1]],
        "semantic": [tier for _, tier in semantic],
    }
    expected = {"uncached": "miss", "l1": "l1", "l2": "l2", "semantic": "semantic"}
    return {
        "question": question,
        "uncached_ms": round(uncached_ms, 2),
        **{f"{tier}_ms": None if ms is None else round(ms, 3) for tier, ms in tiers_ms.items()},
        "speedup": {
            tier: None if not ms else round(uncached_ms / ms, 1) for tier, ms in tiers_ms.items()
        },
        "tiers": seen,
        # Every request came from the tier it was meant to test.
        "ok": all(tier == expected[name] for name, tiers in seen.items() for tier in tiers),
    }
