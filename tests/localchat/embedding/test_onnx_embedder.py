"""The ONNX Runtime embedder: one compute thread per session run, batches spread over threads."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from tests.localchat.embedding.test_engine_contract import LONG


def _pool_threads() -> int:
    return sum(t.name.startswith("onnx-embed") for t in threading.enumerate())


@pytest.fixture(scope="module")
def int8(minilm_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("onnxruntime")
    from localchat.embedding.candidates import default_candidates

    found = {c.name: c for c in default_candidates(minilm_dir, amx_safe=False, onnx=True)}
    folder = tmp_path_factory.mktemp("onnx-models")
    one, two = found["onnxruntime int8"].open(folder, 1), found["onnxruntime int8"].open(folder, 2)
    yield one, two
    one.close()
    two.close()


def test_batches_on_two_threads_give_the_one_thread_vectors(int8):
    one, two = int8
    # Long texts make several length batches (each capped in padded tokens), so two threads
    # embed batches at once; every row must be the vector one thread computes.
    texts = [LONG[: 200 + 37 * n] for n in range(40)] + ["short", "a query of five words"]
    before = _pool_threads()
    together = two.embed(texts)
    assert _pool_threads() > before  # the batches did run on the pool
    np.testing.assert_array_equal(together, one.embed(texts))


def test_a_single_query_runs_on_the_calling_thread(minilm_dir: Path, tmp_path: Path):
    pytest.importorskip("onnxruntime")
    from localchat.embedding.candidates import default_candidates

    found = {c.name: c for c in default_candidates(minilm_dir, amx_safe=False, onnx=True)}
    embedder = found["onnxruntime int8"].open(tmp_path, 2)
    try:
        before = _pool_threads()
        vector = embedder.embed(["how do I prime the pump?"])
        assert vector.shape == (1, embedder.dim)
        assert _pool_threads() == before  # one batch: no pool thread was started or woken
    finally:
        embedder.close()
