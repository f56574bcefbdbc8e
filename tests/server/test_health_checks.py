"""Each deep-health check's failure modes: degraded vs fail, and what the detail says."""

from __future__ import annotations

import threading
from collections import namedtuple

import numpy as np
import pytest

from localchat.embedding.embedder import HashEmbedder
from localchat.generation.scripted import ScriptedGenerator
from localchat.resources import Resources
from server import health

Usage = namedtuple("Usage", "total used free")


def test_timed_maps_outcomes_to_statuses():
    ok = health.timed(lambda: ("fine", {"n": 1}))
    assert (ok.status, ok.detail, ok.data) == ("ok", "fine", {"n": 1})
    assert ok.latency_ms >= 0

    def degraded():
        raise health.Degraded("needs attention")

    def broken():
        raise ValueError("boom")

    assert health.timed(degraded).status == "degraded"
    failed = health.timed(broken)
    assert (failed.status, failed.detail) == ("fail", "ValueError: boom")
    components = {"a": ok, "b": health.timed(degraded)}
    assert health.overall(components) == "degraded"
    assert health.overall(components | {"c": failed}) == "fail"
    assert health.overall({"a": ok}) == "ok"


def test_disk_levels(monkeypatch, tmp_path):
    def with_free(free: int) -> None:
        monkeypatch.setattr(health.shutil, "disk_usage", lambda _p: Usage(1 << 40, 0, free))

    with_free(5 << 30)
    detail, data = health.check_disk(tmp_path)
    assert detail == "5 GiB free" and data["free_bytes"] == 5 << 30
    with_free(500 << 20)
    with pytest.raises(health.Degraded, match="500 MiB free"):
        health.check_disk(tmp_path)
    with_free(50 << 20)
    with pytest.raises(RuntimeError, match="only 50 MiB free"):
        health.check_disk(tmp_path)


def test_index_out_of_step_with_sqlite_is_degraded(settings, tmp_path):
    doc = tmp_path / "nuts.md"
    doc.write_text("# Nuts\n\nThe Boots self-locking nut holds tight despite vibration.\n")
    runtime = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    try:
        runtime.library.ingest([doc])
        detail, data = health.check_index(runtime)
        assert detail == "index matches SQLite" and data["vectors"] == data["sqlite_vectors"] > 0
        first_key = int(runtime.index.keys()[0])
        runtime.index.remove([first_key])
        with pytest.raises(health.Degraded, match="restart to rebuild the index"):
            health.check_index(runtime)
    finally:
        runtime.close()


def test_an_embedder_returning_a_wrong_vector_fails():
    class Broken(HashEmbedder):
        def embed(self, texts):
            return np.zeros((len(texts), self.dim), dtype=np.float32)

    detail, data = health.check_embedding(HashEmbedder())
    assert detail == "one text embedded" and data["dim"] == 384
    with pytest.raises(RuntimeError, match=r"norm 0\.0000"):
        health.check_embedding(Broken())


def test_generation_check_reports_errors_and_a_busy_model(monkeypatch):
    detail, data = health.check_generation(lambda: ScriptedGenerator(["OK"]))
    assert detail == "one token generated" and data["model"] == "scripted"

    def missing():
        raise LookupError("no model file")

    with pytest.raises(LookupError, match="no model file"):
        health.check_generation(missing)

    release = threading.Event()

    def busy():
        release.wait(5)  # another answer holds the model
        return ScriptedGenerator(["OK"])

    monkeypatch.setattr(health, "GENERATION_TIMEOUT_S", 0.05)
    try:
        with pytest.raises(health.Degraded, match="the model is busy"):
            health.check_generation(busy)
    finally:
        release.set()
