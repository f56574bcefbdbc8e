"""bench_cache against the real server (real Resources, SQLite and index; scripted model)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from bench.cache_load import bench_cache
from localchat.config import with_rag
from localchat.embedding.embedder import HashEmbedder
from localchat.generation.scripted import ScriptedGenerator
from localchat.resources import Resources

uvicorn = pytest.importorskip("uvicorn")
app_module = pytest.importorskip("server.app")

QUESTION = "How do I prime the Zephyr pump?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The app on a real socket, restartable on the same data dir like a new process."""

    def __init__(self, settings, docs: Path) -> None:
        # Generative: the scripted model's delay is what makes an uncached answer slow.
        self.settings = with_rag(settings, answer_mode="generative", decline_score=0.0)
        self.runtime = self._runtime()
        assert self.runtime.library.ingest([docs]).failed == 0
        self._start()

    def _runtime(self) -> Resources:
        runtime = Resources.open(self.settings, embedder=HashEmbedder(), isolate_parsing=False)
        # 5 ms a word: an uncached answer takes a measurable while, as a real model would.
        runtime.set_generator(ScriptedGenerator(["Prime it with water [1]."], delay=0.005))
        return runtime

    def _start(self) -> None:
        self.port = free_port()
        app = app_module.create_app(self.settings, resources=self.runtime)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.server.started

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.runtime.close()

    def restart(self) -> str:
        self.stop()
        self.runtime = self._runtime()
        self._start()
        return self.url


def test_bench_over_http_sees_every_tier_and_a_speedup(settings, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "pump.txt").write_text("The Zephyr pump must be primed with two litres of water.\n")
    live = LiveServer(settings, docs)
    try:
        report = bench_cache(live.url, QUESTION, restart=live.restart, repeats=3, timeout=60)
    finally:
        live.stop()
    assert report["ok"], report["tiers"]
    assert report["uncached_ms"] > 30
    for tier in ("l1", "l2", "semantic"):
        assert report["speedup"][tier] > 1, report
