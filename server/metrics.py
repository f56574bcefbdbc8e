"""Prometheus metrics: the only module importing prometheus_client.

`Metrics` owns a registry per app (no global state); `PrometheusTelemetry` is the core's
Telemetry feeding it; `RequestMetrics` (middleware) counts every request under its route
template, errors included, and `count_unmatched` the requests no route matched.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from localchat.telemetry import NullTelemetry, Telemetry

NAMESPACE = "localchat"
CACHE_TIERS = ("l1", "l2", "semantic")
CONTENT_TYPE = CONTENT_TYPE_LATEST
_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r, ns = self.registry, NAMESPACE
        by_request = ["route", "method", "status"]
        self.requests = Counter(
            "requests", "HTTP requests answered", by_request, namespace=ns, registry=r
        )
        self.request_seconds = Histogram(
            "request_duration_seconds",
            "Time to answer a request (whole stream included)",
            by_request,
            namespace=ns,
            registry=r,
            buckets=_SECONDS,
        )
        self.cache_hits = Counter(
            "cache_hits", "Cache lookups that hit", ["tier"], namespace=ns, registry=r
        )
        self.cache_misses = Counter(
            "cache_misses", "Cache lookups that missed", ["tier"], namespace=ns, registry=r
        )
        for tier in CACHE_TIERS:  # so dashboards see zeros rather than nothing
            self.cache_hits.labels(tier)
            self.cache_misses.labels(tier)
        self.retrieval_seconds = Histogram(
            "rag_retrieval_seconds",
            "Hybrid retrieval time",
            namespace=ns,
            registry=r,
            buckets=_SECONDS,
        )
        self.chunks_count = Histogram(
            "rag_chunks_count",
            "Passages kept per retrieval",
            namespace=ns,
            registry=r,
            buckets=(0, 1, 2, 5, 10, 20, 40, 80, 200),
        )
        self.ingest_documents = Counter(
            "ingest_documents", "Documents added or replaced", namespace=ns, registry=r
        )
        self.ingest_chunks = Counter(
            "ingest_chunks", "Chunks written by ingestion", namespace=ns, registry=r
        )
        self.ingest_tokens = Counter(
            "ingest_embedding_tokens", "Tokens of ingested chunks", namespace=ns, registry=r
        )
        self.ingest_seconds = Histogram(
            "ingest_seconds",
            "Wall time of one ingestion run",
            namespace=ns,
            registry=r,
            buckets=_SECONDS,
        )
        self.generated_tokens = Counter(
            "generation_tokens", "Tokens generated", namespace=ns, registry=r
        )
        self.ttft = Histogram(
            "generation_ttft_seconds",
            "Time to first generated token",
            namespace=ns,
            registry=r,
            buckets=_SECONDS,
        )
        self.tokens_per_second = Histogram(
            "generation_tokens_per_second",
            "Generation speed of one answer",
            namespace=ns,
            registry=r,
            buckets=(1, 5, 10, 20, 30, 50, 75, 100, 200, 500),
        )
        self.documents = Gauge("documents", "Documents stored", namespace=ns, registry=r)
        self.chunks = Gauge("chunks", "Chunks stored (every layout)", namespace=ns, registry=r)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        labels = (route, method, str(status))
        self.requests.labels(*labels).inc()
        self.request_seconds.labels(*labels).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class PrometheusTelemetry:
    """The core's Telemetry, recorded as metrics (and passed on to `inner`, if any)."""

    def __init__(self, metrics: Metrics, inner: Telemetry | None = None) -> None:
        self.metrics = metrics
        self.inner = inner or NullTelemetry()

    def cache(self, tier: str, hit: bool) -> None:
        (self.metrics.cache_hits if hit else self.metrics.cache_misses).labels(tier).inc()
        self.inner.cache(tier, hit)

    def retrieval(self, seconds: float, chunks: int) -> None:
        self.metrics.retrieval_seconds.observe(seconds)
        self.metrics.chunks_count.observe(chunks)
        self.inner.retrieval(seconds, chunks)

    def ingested(self, documents: int, chunks: int, tokens: int, seconds: float) -> None:
        m = self.metrics
        m.ingest_documents.inc(documents)
        m.ingest_chunks.inc(chunks)
        m.ingest_tokens.inc(tokens)
        m.ingest_seconds.observe(seconds)
        self.inner.ingested(documents, chunks, tokens, seconds)

    def generated(self, tokens: int, seconds: float, ttft_seconds: float | None) -> None:
        m = self.metrics
        m.generated_tokens.inc(tokens)
        if ttft_seconds is not None:
            m.ttft.observe(ttft_seconds)
            decode_seconds = seconds - ttft_seconds
            if tokens > 1 and decode_seconds > 0:  # speed after the first token (prompt eval)
                m.tokens_per_second.observe((tokens - 1) / decode_seconds)
        self.inner.generated(tokens, seconds, ttft_seconds)

    def stored(self, documents: int, chunks: int) -> None:
        self.metrics.documents.set(documents)
        self.metrics.chunks.set(chunks)
        self.inner.stored(documents, chunks)


class RequestMetrics:
    """Litestar middleware (outermost of the app's): counts and times every request a route
    answered, by route template, the whole stream included. Requests no route matched (404,
    405) never reach route middleware; `count_unmatched` counts those."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:  # answered by the app's error mapping, outside this one
            status = _status_of(exc)
            raise
        finally:
            route = scope.get("path_template") or "unmatched"
            self.metrics.observe_request(
                route, scope["method"], status, time.perf_counter() - started
            )


def count_unmatched(metrics: Metrics):
    """An `after_exception` hook counting the requests no route matched (the router raised
    404 or 405 before any middleware ran); those of matched routes RequestMetrics counts."""

    async def after_exception(exc: Exception, scope: Any) -> None:
        if scope.get("type") == "http" and "route_handler" not in scope:
            metrics.observe_request("unmatched", scope["method"], _status_of(exc), 0.0)

    return after_exception


def _status_of(exc: Exception) -> int:
    return int(getattr(exc, "status_code", None) or getattr(exc, "status", None) or 500)
