"""Embedding batches: a fast parser fills them to the chunk target, a slow one does not stall
them, and every document is handed on exactly once, in order."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

import msgspec
import pytest

from localchat.config import RagParams
from localchat.embedding.embedder import HashEmbedder
from localchat.ingest.batching import document_batches
from localchat.ingest.loaders import load_file
from localchat.ingest.pipeline import EMBED_BATCH, Ingestor
from localchat.resources import Resources

DONE = object()


class Doc(msgspec.Struct):
    name: int
    chunks: list[int]


def queued(docs: list[Doc]) -> queue.Queue:
    inbox: queue.Queue = queue.Queue()
    for doc in docs:
        inbox.put(doc)
    inbox.put(DONE)
    return inbox


def test_a_full_queue_gives_batches_of_the_chunk_target():
    docs = [Doc(n, [0, 1]) for n in range(100)]
    batches = list(document_batches(queued(docs), 40, DONE))
    assert [len(batch) for batch in batches] == [20] * 5
    assert [doc.name for batch in batches for doc in batch] == list(range(100))


def test_the_last_batch_ends_at_the_sentinel():
    batches = list(document_batches(queued([Doc(n, [0, 1, 2]) for n in range(5)]), 9, DONE))
    assert [[doc.name for doc in batch] for batch in batches] == [[0, 1, 2], [3, 4]]


def test_a_slow_parser_gets_its_batch_embedded_after_the_top_up_wait():
    inbox: queue.Queue = queue.Queue()
    inbox.put(Doc(0, [0]))
    batches = document_batches(inbox, 100, DONE, top_up=0.05)
    started = time.monotonic()
    first = next(batches)  # nothing else arrives: it must not wait for 100 chunks
    waited = time.monotonic() - started
    assert [doc.name for doc in first] == [0]
    assert 0.04 <= waited < 2.0
    inbox.put(DONE)
    assert list(batches) == []


def test_documents_arriving_during_the_wait_join_the_batch():
    inbox: queue.Queue = queue.Queue()
    inbox.put(Doc(0, [0]))

    def later() -> None:
        time.sleep(0.01)
        inbox.put(Doc(1, [0]))
        inbox.put(DONE)

    threading.Thread(target=later).start()
    batches = list(document_batches(inbox, 100, DONE, top_up=1.0))
    assert [[doc.name for doc in batch] for batch in batches] == [[0, 1]]


class CallSizes(HashEmbedder):
    """The hashing fake, recording how many texts each embed call got."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def embed(self, texts):
        self.calls.append(len(texts))
        time.sleep(0.02)  # slower than parsing, as a real model is: the queue fills up
        return super().embed(texts)


@pytest.fixture
def runtime(settings):
    runtime = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    yield runtime
    runtime.close()


def test_ingesting_many_small_files_embeds_them_in_large_calls(runtime, tmp_path: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(600):
        (folder / f"note{n:03}.txt").write_text(f"Note {n}: valve {n} opens at {n % 7} bar.\n")
    embedder = CallSizes()
    ingestor = Ingestor(
        runtime.store,
        embedder,
        RagParams(512, 64, 5, 0.0),
        write=runtime.library.add,
        load=load_file,
    )
    report = ingestor.ingest_paths([folder])
    assert report.added == 600
    assert sum(embedder.calls) == 600
    # One chunk per file: with the old 8-document queue every call had at most ~9 texts.
    assert max(embedder.calls) >= EMBED_BATCH // 2
    assert len(embedder.calls) <= 600 // (EMBED_BATCH // 4)
