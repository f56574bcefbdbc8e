"""A new embedding model re-embeds into its own vector set in the background, then swaps."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from localchat.embedding.embedder import HashEmbedder
from localchat.index.vector_index import index_path
from localchat.jobs.manager import JobManager
from localchat.resources import Resources
from tests.server.harness import write_docs


class Gated(HashEmbedder):
    """A hash embedder that waits on a gate before each batch (and can be told to fail)."""

    def __init__(self, dim: int) -> None:
        super().__init__(dim=dim)
        self.gate = threading.Event()
        self.gate.set()
        self.fail = False
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        self.gate.wait(10)
        if self.fail:
            raise RuntimeError("the new model broke")
        return super().embed(texts)


@pytest.fixture
def runtime(settings, tmp_path):
    runtime = Resources.open(settings, embedder=HashEmbedder(dim=32), isolate_parsing=False)
    runtime.library.ingest(write_docs(tmp_path / "docs"))
    yield runtime
    runtime.close()


def vectors_of(runtime, model: str) -> dict[str, np.ndarray]:
    rows = runtime.store.read("SELECT content_hash, vector FROM vectors WHERE model = ?", (model,))
    return {h: np.frombuffer(v, dtype=np.float32) for h, v in rows}


def test_reembed_builds_beside_then_swaps_without_mixing(runtime, settings):
    old_model, old_index = runtime.embedder.model_id, runtime.index
    new = Gated(dim=16)
    new.gate.clear()
    jobs = JobManager(runtime)
    try:
        job = jobs.reembed(new)
        # While the new vectors are being made, the old model and index serve every query.
        hits = runtime.search("Boots self-locking nut").hits
        assert hits and runtime.embedder.model_id == old_model and runtime.index is old_index
        new.gate.set()
        done = jobs.wait(job.id, 30)
    finally:
        jobs.close()
    assert done.status == "done" and done.kind == "reembed"
    assert runtime.embedder is new and runtime.index.dim == 16
    chunk_ids = [row[0] for row in runtime.store.read("SELECT id, content_hash FROM chunks")]
    hashes = dict(runtime.store.read("SELECT id, content_hash FROM chunks"))
    # Every key in the serving index holds the new model's vector for its chunk: no old ones.
    stored = vectors_of(runtime, new.model_id)
    held = runtime.index.vectors(chunk_ids)
    assert sorted(held) == sorted(chunk_ids)
    for chunk_id, vector in held.items():
        np.testing.assert_allclose(vector, stored[hashes[chunk_id]], atol=1e-2)
    assert len(vectors_of(runtime, old_model)) == len(stored)  # the old set is kept
    assert index_path(settings.data_path, new.model_id).is_file()
    assert index_path(settings.data_path, old_model).is_file()
    assert runtime.index_file == index_path(settings.data_path, new.model_id)
    assert {row[0] for row in runtime.store.read("SELECT embed_model FROM documents")} == {
        new.model_id
    }
    assert runtime.search("Boots self-locking nut").hits
    jobs = JobManager(runtime)
    try:
        assert not jobs.needs_reembed()
    finally:
        jobs.close()


def test_a_failing_new_model_leaves_the_old_one_serving(runtime):
    old = runtime.embedder
    new = Gated(dim=16)
    new.fail = True
    jobs = JobManager(runtime)
    try:
        done = jobs.wait(jobs.reembed(new).id, 30)
    finally:
        jobs.close()
    assert done.status == "failed" and "broke" in done.message
    assert runtime.embedder is old and runtime.search("goroutines").hits
    assert vectors_of(runtime, new.model_id) == {}


def test_an_interrupted_run_resumes_with_what_it_wrote(runtime, settings, tmp_path):
    # More texts than one batch, so cancelling after the first batch leaves work undone.
    many = tmp_path / "many"
    many.mkdir()
    for n in range(80):
        (many / f"note{n}.txt").write_text(f"Note {n} on torque value {n * 7} for bolt {n}.\n")
    runtime.library.ingest([many])
    new = Gated(dim=16)
    jobs = JobManager(runtime)
    try:
        new.gate.clear()
        job = jobs.reembed(new)
        while new.calls == 0:
            threading.Event().wait(0.01)
        jobs._cancel.set()  # what close() or a cancel does mid-job
        new.gate.set()
        first = jobs.wait(job.id, 30)
        assert first.status == "cancelled" and runtime.embedder is not new
        partial = len(vectors_of(runtime, new.model_id))
        assert 0 < partial < len(runtime.store.read("SELECT DISTINCT content_hash FROM chunks"))
        calls_before = new.calls
        second = jobs.wait(jobs.reembed(new).id, 30)
    finally:
        jobs.close()
    assert second.status == "done" and runtime.embedder is new
    total = len(runtime.store.read("SELECT DISTINCT content_hash FROM chunks"))
    assert second.chunks == total - partial  # only what was missing was embedded again
    assert new.calls > calls_before
