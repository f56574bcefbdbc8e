"""A real library (SQLite, USearch, the job worker) on the hash embedder, and helpers that wait
on conditions instead of sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from localchat.embedding.embedder import HashEmbedder
from localchat.jobs.manager import JobManager
from localchat.resources import Resources
from localchat.watch.library import WatchLibrary


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the texts it embeds (a rename must embed none)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed(self, texts):
        self.texts += len(texts)
        return super().embed(texts)


class Library:
    """Resources + JobManager + the watcher's adapter; `loads` counts parsed files."""

    def __init__(self, settings) -> None:
        self.embedder = CountingEmbedder()
        self.resources = Resources.open(settings, embedder=self.embedder, isolate_parsing=False)
        self.loads: list[str] = []
        load = self.resources.load

        def counting_load(path):
            self.loads.append(str(path))
            return load(path)

        self.resources.load = counting_load  # looked up at each ingest
        self.jobs = JobManager(self.resources)
        self.adapter = WatchLibrary(self.resources, self.jobs)

    def paths(self) -> list[str]:
        return sorted(d.path for d in self.resources.store.list_documents())

    def close(self) -> None:
        self.jobs.close()
        self.resources.close()


@pytest.fixture
def library(settings):
    opened = Library(settings)
    yield opened
    opened.close()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def wait_until(condition: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(0.02)
