"""Ingestion failure modes: a loader bug, an embedder failure and a cancel each end the way
the report says, and what was stored stays consistent with the vector index."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from localchat.config import RagParams
from localchat.embedding.embedder import HashEmbedder
from localchat.ingest import isolate
from localchat.ingest.loaders import load_file
from localchat.ingest.pipeline import Ingestor
from localchat.resources import Resources

PARAMS = RagParams(512, 64, 5, 0.0)


@pytest.fixture
def runtime(settings):
    runtime = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    yield runtime
    runtime.close()


def library(tmp_path: Path, count: int) -> list[Path]:
    folder = tmp_path / "docs"
    folder.mkdir()
    paths = []
    for n in range(count):
        path = folder / f"doc{n:02}.md"
        path.write_text(f"# Pump {n}\n\nPump number {n} needs new seals every {n + 1} years.\n")
        paths.append(path)
    return paths


def ingestor(runtime, load=load_file, embedder=None) -> Ingestor:
    return Ingestor(
        runtime.store, embedder or runtime.embedder, PARAMS, write=runtime.library.add, load=load
    )


def test_a_loader_bug_fails_that_file_alone(runtime, tmp_path):
    paths = library(tmp_path, 3)

    def buggy(path: Path):
        if path.name == "doc01.md":
            raise KeyError("parser bug")
        return load_file(path)

    report = ingestor(runtime, buggy).ingest_paths(paths)
    assert (report.added, report.failed) == (2, 1)
    [failure] = report.errors
    assert failure.path.endswith("doc01.md") and failure.error_code == "ingest_failed"
    assert runtime.store.counts()[0] == 2


def test_an_embedder_failure_fails_its_batch_and_stores_nothing(runtime, tmp_path):
    class Failing(HashEmbedder):
        def embed(self, texts):
            raise RuntimeError("embedding backend crashed")

    paths = library(tmp_path, 3)
    report = ingestor(runtime, embedder=Failing()).ingest_paths(paths)
    assert (report.added, report.failed) == (0, 3)
    assert {e.error_code for e in report.errors} == {"ingest_failed"}
    assert all("embedding backend crashed" in e.message for e in report.errors)
    assert runtime.store.counts() == (0, 0) and len(runtime.index) == 0


def test_cancelling_stops_early_and_keeps_store_and_index_in_step(runtime, tmp_path):
    paths = library(tmp_path, 30)
    cancel = threading.Event()
    parsed = 0

    def slow(path: Path):
        nonlocal parsed
        parsed += 1
        if parsed == 5:
            cancel.set()  # as a user pressing cancel while the fifth file is read
        return load_file(path)

    report = ingestor(runtime, slow).ingest_paths(paths, cancel=cancel)
    assert report.cancelled
    assert report.added < 30 and parsed < 30
    documents, chunks = runtime.store.counts()
    assert documents == report.added and len(runtime.index) == chunks


def test_the_worker_turns_any_parser_failure_into_a_file_error(tmp_path, monkeypatch):
    """`_parse` runs inside the worker: called directly here, with a loader that fails."""
    request = isolate._Request(str(tmp_path / "a.pdf"), 10)

    def failing_with(error: BaseException):
        def load(*_args, **_kwargs):
            raise error

        monkeypatch.setattr(isolate, "load_file", load)
        return isolate._parse(request, 256)

    deep = failing_with(RecursionError())
    assert deep.failure.error == "CorruptFileError" and "nested too deeply" in deep.failure.message
    assert not deep.worker_exits
    bug = failing_with(ZeroDivisionError("x" * 1000))
    assert bug.failure.error == "CorruptFileError"
    assert bug.failure.message.startswith("a.pdf could not be parsed (ZeroDivisionError")
    assert len(bug.failure.message) <= 300  # a hostile file cannot flood the report
    memory = failing_with(MemoryError())
    assert memory.failure.error == "FileTooLargeError" and memory.worker_exits
    assert "parse_memory_mb" in memory.failure.hint


def test_an_unknown_error_name_from_the_worker_becomes_a_corrupt_file_error():
    rebuilt = isolate._rebuild(isolate._Failure("NoSuchError", "odd", "hint"))
    assert type(rebuilt).__name__ == "CorruptFileError" and rebuilt.hint == "hint"
    known = isolate._rebuild(isolate._Failure("EmptyDocumentError", "empty", "", "file"))
    assert known.code == "empty_document" and known.param == "file"
    killed = isolate._death_error("big.pdf", -9, 512)
    assert killed.code == "file_too_large" and "parse_memory_mb = 512" in killed.hint
    crashed = isolate._death_error("bad.pdf", 3, 512)
    assert crashed.code == "corrupt_file" and "exit code 3" in crashed.message


@pytest.mark.parametrize("name", ["gone.txt", "gone.md", "gone.pdf", "gone.html"])
def test_missing_files_of_every_type_are_ingest_errors(tmp_path, name):
    from localchat.errors import IngestError

    with pytest.raises(IngestError, match="does not exist"):
        load_file(tmp_path / name)
    (tmp_path / f"dir-{name}").mkdir()
    with pytest.raises(IngestError, match="is a folder"):
        load_file(tmp_path / f"dir-{name}")
