"""The parser worker process: same results, same errors, limits on time and memory."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from localchat.errors import (
    CorruptFileError,
    EmptyDocumentError,
    FileTooLargeError,
    ParseTimeoutError,
    UnsupportedFileError,
)
from localchat.ingest.isolate import (
    DocumentParser,
    InProcessParser,
    ParserPool,
    load_file_isolated,
)
from tests.localchat.ingest.corpus import corpus_file, load_corpus

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX pipes")


@pytest.fixture
def pool():
    parser_pool = ParserPool(timeout_s=20, memory_mb=1024)
    yield parser_pool
    parser_pool.close()


def hanging_file(tmp_path: Path) -> Path:
    """A named pipe nobody writes to: reading it blocks, like a parser stuck in a loop."""
    path = tmp_path / "stuck.txt"
    os.mkfifo(path)
    return path


def test_results_equal_in_process_parsing_and_the_worker_is_reused(pool):
    names = ["faa-amt_handbook_sample.pdf", "go-effective_go.html", "go-faq.md"]
    for name in names:
        assert pool.load(corpus_file(name)) == load_corpus(name)
    first_pid = pool.worker_pid
    pool.load(corpus_file(names[0]))
    assert pool.worker_pid == first_pid != os.getpid()


def test_child_errors_arrive_as_the_same_class(pool, tmp_path):
    (tmp_path / "photo.jpeg").write_bytes(b"\xff\xd8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "fake.pdf").write_text("not a pdf at all")
    with pytest.raises(UnsupportedFileError) as unsupported:
        pool.load(tmp_path / "photo.jpeg")
    assert ".pdf" in unsupported.value.hint
    with pytest.raises(EmptyDocumentError, match="0 bytes"):
        pool.load(tmp_path / "empty.txt")
    with pytest.raises(CorruptFileError, match=r"fake\.pdf"):
        pool.load(tmp_path / "fake.pdf")
    pid = pool.worker_pid
    assert pool.load(corpus_file("fastchat-openai_api.md")).title  # the worker survived
    assert pool.worker_pid == pid


def test_a_hanging_parse_times_out_and_the_worker_is_replaced(tmp_path):
    with ParserPool(timeout_s=1.0) as pool:
        pool.load(corpus_file("go-faq.md"))
        stuck_pid = pool.worker_pid
        with pytest.raises(ParseTimeoutError, match=r"stuck.txt took longer than 1 s"):
            pool.load(hanging_file(tmp_path))
        assert pool.worker_pid is None
        assert not _process_exists(stuck_pid)
        assert pool.load(corpus_file("go-faq.md")).title == "Frequently Asked Questions (FAQ)"
        assert pool.worker_pid not in (None, stuck_pid)


def test_running_out_of_memory_is_file_too_large(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("a line of text\n" * 4_000_000)  # 60 MB: several copies will not fit
    with ParserPool(memory_mb=150) as pool:
        pool.load(corpus_file("go-faq.md"))  # fits comfortably
        with pytest.raises(FileTooLargeError, match="needed more than 150 MB") as caught:
            pool.load(big)
        assert "parse_memory_mb" in caught.value.hint
        assert pool.load(corpus_file("go-faq.md")).pages  # a fresh worker took over


@pytest.mark.parametrize(
    ("signal_number", "error_class"),
    [(signal.SIGKILL, FileTooLargeError), (signal.SIGSEGV, CorruptFileError)],
)
def test_a_worker_killed_mid_parse_is_reported(tmp_path, signal_number, error_class):
    with ParserPool(timeout_s=30) as pool:
        pool.load(corpus_file("fastchat-openai_api.md"))
        pid = pool.worker_pid
        assert pid is not None
        killer = threading.Timer(0.5, os.kill, (pid, signal_number))
        killer.start()
        try:
            with pytest.raises(error_class, match=r"stuck\.txt"):
                pool.load(hanging_file(tmp_path))
        finally:
            killer.join()
        assert pool.load(corpus_file("fastchat-openai_api.md")).pages


def test_one_shot_isolated_load_and_the_in_process_fake():
    path = corpus_file("go-effective_go.html")
    parsers: list[DocumentParser] = [InProcessParser(), ParserPool()]
    results = [parser.load(path) for parser in parsers]
    for parser in parsers:
        parser.close()
    assert results[0] == results[1] == load_file_isolated(path)
    assert results[0].title == "Effective Go"


def _process_exists(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
