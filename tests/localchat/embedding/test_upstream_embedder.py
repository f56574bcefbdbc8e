"""The upstream embedder against a real HTTP server: batching, concurrency, retries, failures."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from localchat.embedding.embedder import HashEmbedder
from localchat.embedding.upstream_embedder import UpstreamEmbedder
from localchat.errors import EmbeddingMismatchError, UpstreamError
from localchat.resources import Resources
from tests.conftest import shared_path
from tests.localchat.modelfiles.http_fake import serving

REFERENCE = HashEmbedder(dim=16)


class Upstream:
    """Scripted /v1/embeddings: vectors from the hash embedder, failures on demand."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.fail_first = 0  # answer 500 to this many requests first
        self.status = 500
        self.sleep_s = 0.0
        self.dim_after: int | None = None  # after this many calls, answer 8-dim vectors
        self.in_flight = self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, method, path, body):
        assert (method, path) == ("POST", "/v1/embeddings")
        with self._lock:
            self.calls.append(body["input"])
            number = len(self.calls)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(self.sleep_s)
            if number <= self.fail_first:
                return self.status, {"error": {"message": "overloaded"}}
            vectors = REFERENCE.embed(body["input"]) * 3.0  # not normalised: the client must
            if self.dim_after is not None and number > self.dim_after:
                vectors = vectors[:, :8]
            data = [
                {"object": "embedding", "index": i, "embedding": v.tolist()}
                for i, v in enumerate(vectors)
            ]
            return 200, {"object": "list", "data": list(reversed(data)), "model": body["model"]}
        finally:
            with self._lock:
                self.in_flight -= 1


def embedder(base: str, **options) -> UpstreamEmbedder:
    options = {"backoff_s": 0.01, "timeout_s": 2.0} | options
    return UpstreamEmbedder(base, "text-embed", **options)


def test_batches_concurrently_and_returns_unit_vectors_in_order():
    upstream = Upstream()
    upstream.sleep_s = 0.05
    texts = [f"passage number {i} about nuts and bolts" for i in range(50)]
    with serving(upstream) as base:
        client = embedder(base, batch=8, concurrency=3)
        try:
            vectors = client.embed(texts)
        finally:
            client.close()
    assert vectors.shape == (50, 16)
    np.testing.assert_allclose(vectors, REFERENCE.embed(texts), atol=1e-6)
    assert [len(c) for c in upstream.calls] == [8] * 6 + [2]
    assert 2 <= upstream.peak <= 3
    assert client.model_id == "upstream:text-embed" and client.dim == 16


def test_5xx_is_retried_with_backoff_then_succeeds():
    upstream = Upstream()
    upstream.fail_first = 2
    with serving(upstream) as base:
        client = embedder(base, retries=3)
        vectors = client.embed(["one", "two"])
        client.close()
    assert vectors.shape == (2, 16) and len(upstream.calls) == 3


def test_5xx_past_the_retries_is_a_clear_error():
    upstream = Upstream()
    upstream.fail_first = 10
    with serving(upstream) as base:
        client = embedder(base, retries=2)
        with pytest.raises(UpstreamError, match="HTTP 500") as info:
            client.embed(["one"])
        client.close()
    assert len(upstream.calls) == 3 and "3 tries" in info.value.hint


def test_4xx_is_not_retried():
    upstream = Upstream()
    upstream.fail_first, upstream.status = 10, 404
    with serving(upstream) as base:
        client = embedder(base, retries=3)
        with pytest.raises(UpstreamError, match="HTTP 404") as info:
            client.embed(["one"])
        client.close()
    assert len(upstream.calls) == 1 and "embedding_upstream_model" in info.value.hint


def test_a_timeout_is_retried_then_reported():
    upstream = Upstream()
    upstream.sleep_s = 1.0
    with serving(upstream) as base:
        client = embedder(base, retries=1, timeout_s=0.2)
        with pytest.raises(UpstreamError, match="did not answer after 2 tries"):
            client.embed(["slow"])
        client.close()


def test_an_unreachable_server_is_reported():
    client = embedder("http://127.0.0.1:9", retries=0)
    with pytest.raises(UpstreamError, match="did not answer"):
        client.embed(["x"])
    client.close()


def test_a_changed_dimension_is_a_clear_error():
    upstream = Upstream()
    upstream.dim_after = 1
    with serving(upstream) as base:
        client = embedder(base)
        assert client.dim == 16
        with pytest.raises(EmbeddingMismatchError, match="8-dimensional") as info:
            client.embed(["now smaller"])
        client.close()
    assert "localchat models use" in info.value.hint


def test_wrong_dimension_during_ingest_writes_nothing_of_the_batch(settings, tmp_path: Path):
    source = shared_path("docs-corpus", "go-faq.md")
    upstream = Upstream()
    with serving(upstream) as base:
        client = embedder(base, batch=16)
        runtime = Resources.open(settings, embedder=client, isolate_parsing=False)
        try:
            upstream.dim_after = len(upstream.calls)  # from now on every vector is 8-dim
            report = runtime.library.ingest([source])
            documents, chunks = runtime.store.counts()
            vectors = runtime.store.read("SELECT count(*) FROM vectors")[0][0]
            assert report.failed == 1 and "embedding_mismatch" in str(report)
            assert (documents, chunks, vectors, len(runtime.index)) == (0, 0, 0, 0)
            upstream.dim_after = None  # the server is fixed: the same file ingests whole
            again = runtime.library.ingest([source])
            assert again.failed == 0 and runtime.store.counts()[1] > 0
            assert len(runtime.index) == runtime.store.counts()[1]
        finally:
            runtime.close()
