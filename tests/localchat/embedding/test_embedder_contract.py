"""The Embedder contract, run against every implementation: the hash fake, the real MiniLM
(llama.cpp, the bundled model converted once per session by conftest.py) and the upstream
embedder against a real /v1/embeddings HTTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from localchat.embedding.embedder import Embedder, HashEmbedder
from localchat.embedding.upstream_embedder import UpstreamEmbedder
from tests.localchat.embedding.test_upstream_embedder import Upstream
from tests.localchat.modelfiles.http_fake import serving

TEXTS = [
    "How do I prime the Zephyr pump?",
    "Priming the Zephyr pump: open the bleed valve first.",
    "Invoices are due within thirty days.",
]


@pytest.fixture(scope="module")
def upstream_embedder() -> Iterator[Embedder]:
    with serving(Upstream()) as base:
        made = UpstreamEmbedder(base, "text-embed", timeout_s=5.0, max_tokens=64)
        yield made
        made.close()


@pytest.fixture(params=["hash", "llama", "upstream"])
def any_embedder(request) -> Embedder:
    if request.param == "hash":
        return HashEmbedder()
    if request.param == "upstream":
        return request.getfixturevalue("upstream_embedder")
    return request.getfixturevalue("embedder")  # the real LlamaEmbedder (session-scoped)


def test_it_is_an_embedder(any_embedder):
    assert isinstance(any_embedder, Embedder)
    assert any_embedder.model_id and any_embedder.dim > 0 and any_embedder.max_tokens > 0


def test_vectors_are_float32_unit_rows_of_the_model_dimension(any_embedder):
    vectors = any_embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), any_embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_the_same_text_gives_the_same_vector_alone_or_in_a_batch(any_embedder):
    batch = any_embedder.embed(TEXTS)
    alone = any_embedder.embed([TEXTS[1]])[0]
    assert np.allclose(batch[1], alone, atol=1e-4)


def test_related_texts_are_closer_than_unrelated_ones(any_embedder):
    question, answer, other = any_embedder.embed(TEXTS)
    assert float(question @ answer) > float(question @ other)


def test_texts_past_max_tokens_are_cut_not_refused(any_embedder):
    long = "pump valve " * (any_embedder.max_tokens * 2)
    assert any_embedder.count_tokens(long) > any_embedder.max_tokens
    vector = any_embedder.embed([long])[0]
    assert vector.shape == (any_embedder.dim,) and np.isfinite(vector).all()


def test_token_counts_grow_with_the_text(any_embedder):
    assert any_embedder.count_tokens("pump") >= 1
    assert any_embedder.count_tokens("prime the pump") > any_embedder.count_tokens("pump")


@pytest.mark.parametrize("local", [HashEmbedder, "llama"])
def test_local_token_counts_include_the_special_tokens(local, request):
    made = local() if local is HashEmbedder else request.getfixturevalue("embedder")
    assert made.count_tokens("pump") >= 3  # the word, plus CLS and SEP
