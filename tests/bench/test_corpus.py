"""A synthetic corpus is a real data dir: the runtime opens its index as built, FTS and vectors
answer, it is built once and reused; the retrieval suite measures it end to end."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest

from bench import corpus, retrieval
from bench.harness import Log, open_runtime
from bench.plan import make_plan
from bench.seeds import pseudo_seeds
from localchat.embedding.embedder import HashEmbedder

CHUNKS = 600


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    embedder = HashEmbedder()
    seeds = pseudo_seeds(40, embedder.dim, vocab_size=4000)
    root = tmp_path_factory.mktemp("bench")
    patch = pytest.MonkeyPatch()
    patch.setattr(corpus, "BATCH", 250)  # several batches: the overlapped index adds too
    try:
        info = corpus.ensure_corpus(root, seeds, embedder.model_id, CHUNKS, log=lambda _: None)
    finally:
        patch.undo()
    return root, seeds, embedder, info


def test_the_runtime_opens_the_corpus_as_built(built, settings):
    _, _, embedder, info = built
    runtime, _ = open_runtime(settings, info.data_dir, embedder)
    try:
        assert runtime.index_state == "loaded"  # count and checksum agree with SQLite
        assert runtime.store.counts() == (CHUNKS // corpus.CHUNKS_PER_DOCUMENT, CHUNKS)
        text = runtime.store.chunks([7])[7].text
        assert 7 in [c for c, _ in runtime.store.fts(f'"{text.split()[0]}"', CHUNKS)]
        own = np.asarray(corpus.exact_vectors(info)[6])  # row 6 is chunk id 7
        keys, sims = runtime.index.search(own, 1)
        assert int(keys[0]) == 7 and sims[0] == pytest.approx(1.0, abs=1e-2)
    finally:
        runtime.close()


def test_a_built_corpus_is_reused(built):
    root, seeds, embedder, info = built
    again = corpus.ensure_corpus(root, seeds, embedder.model_id, CHUNKS, log=pytest.fail)
    assert again == info
    assert not list(root.glob("*.building"))


def test_exact_top_k_is_brute_force():
    rng = np.random.default_rng(1)
    matrix = rng.standard_normal((500, 8)).astype(np.float32)
    queries = rng.standard_normal((3, 8)).astype(np.float32)
    found = retrieval.exact_top_k(matrix, queries, 5, block=64)
    expected = np.argsort(-(queries @ matrix.T), axis=1)[:, :5] + 1
    assert [sorted(r) for r in found.tolist()] == [sorted(r) for r in expected.tolist()]


def test_retrieval_suite_reports_every_probe(built, settings):
    _, seeds, embedder, info = built
    plan = msgspec.structs.replace(make_plan(quick=True), queries=6, repeats=2, recall_queries=6)
    figures = retrieval.run_scale(settings, embedder, info, seeds.queries, plan, Log(quiet=True))
    assert figures.chunks == CHUNKS and figures.index_state == "loaded"
    assert set(figures.latency_ms) == {
        *retrieval.MODES,
        "bm25_store",
        "fts5_or_raw",
        "usearch_raw",
        "embed_query_raw",
    }
    hybrid = figures.latency_ms["hybrid"]["p50"]
    assert 0 < hybrid["min"] <= hybrid["median"] <= hybrid["max"]
    assert 0.5 <= figures.vector_recall_at_10 <= 1.0
