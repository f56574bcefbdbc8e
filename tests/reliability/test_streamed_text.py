"""Big text files are decoded in blocks (bounded parser memory) and files over
`ingest.max_file_bytes` fail alone, before any parsing, while the rest of the batch goes in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from localchat.config import RagParams, Settings
from localchat.embedding.embedder import HashEmbedder
from localchat.ingest.isolate import ParserPool
from localchat.ingest.pipeline import Ingestor
from localchat.resources import Resources

# Trailing spaces and CRLF newlines: the worst case for line normalisation (the whole-file
# reader it replaces peaked at ≈ 5.7× such a file; block by block it is ≈ 2.4×).
LINE = "Line {n}: the pump at station {m} was serviced and its seals replaced.  \r\n"
GOOD = "# Pumps\n\nSeals are replaced every year at station nine.\n"


def write_lines(path: Path, megabytes: float) -> int:
    """A text file of at least `megabytes` MiB; returns its number of lines."""
    block = "".join(LINE.format(n=n, m=n * 7 % 1000) for n in range(10_000)).encode()
    copies = -(-int(megabytes * (1 << 20)) // len(block))
    with path.open("wb") as handle:
        for _ in range(copies):
            handle.write(block)
    return copies * 10_000


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM line")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_big_text_file_is_parsed_in_about_twice_its_size(tmp_path):
    megabytes = int(os.environ.get("LOCALCHAT_TEST_STREAM_MB", "40"))
    lines = write_lines(tmp_path / "big.txt", megabytes)
    (tmp_path / "small.txt").write_text("warm-up\n")
    with ParserPool(timeout_s=120, memory_mb=2048) as pool:
        pool.load(tmp_path / "small.txt")  # the worker's own footprint, imports included
        pid = pool.worker_pid
        assert pid is not None
        baseline = peak_rss_mb(pid)
        document = pool.load(tmp_path / "big.txt")
        growth = peak_rss_mb(pid) - baseline
        assert pool.worker_pid == pid  # the same worker did both
    text = document.pages[0].text
    size_mb = (tmp_path / "big.txt").stat().st_size / (1 << 20)
    print(f"{size_mb:.0f} MB file: parser grew {growth:.0f} MB")
    # The decoded text once, its copy in the reply, block-sized scraps: not the file's bytes,
    # and not a list of its lines.
    assert growth < 3 * size_mb + 40
    assert "\r" not in text and " \n" not in text  # CRLF translated, trailing spaces gone
    assert text.count("\n") == lines - 1
    assert text.startswith("Line 0: the pump at station 0 was serviced")
    assert text.endswith("Line 9999: the pump at station 993 was serviced and its seals replaced.")


def test_a_file_over_the_default_limit_fails_alone_without_being_read(tmp_path, settings):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # sparse: 600 MiB on paper, nothing on disk
        handle.truncate(600 * (1 << 20))
    (tmp_path / "pumps.md").write_text(GOOD)
    runtime = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    try:
        report = runtime.library.ingest([huge, tmp_path / "pumps.md"])
        assert report.added == 1
        [failure] = report.errors
        assert Path(failure.path).name == "huge.txt" and failure.error_code == "file_too_large"
        assert "600.0 MiB (629145600 bytes)" in failure.message  # the size
        assert "512.0 MiB limit" in failure.message  # the limit
        assert "ingest.max_file_bytes" in failure.message  # the setting to raise
        assert runtime.search("seals replaced every year").hits  # the good file went in
    finally:
        runtime.close()


def test_a_configured_limit_refuses_bigger_files_and_keeps_the_rest(tmp_path, settings: Settings):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "log.txt").write_text("pump restarted\n" * 200)  # 3000 bytes
    (docs / "pumps.md").write_text(GOOD)
    runtime = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    try:
        ingestor = Ingestor(
            runtime.store,
            runtime.embedder,
            RagParams(512, 64, 5, 0.0),
            write=runtime.library.add,
            load=runtime.load,
            max_file_bytes=2048,
        )
        report = ingestor.ingest_paths([docs])
        assert (report.added, report.failed) == (1, 1)
        [failure] = report.errors
        assert Path(failure.path).name == "log.txt" and failure.error_code == "file_too_large"
        assert "(3000 bytes), over the 0.0 MiB limit" in failure.message
        assert "now 2048" in failure.message
        # At the limit exactly is allowed.
        ingestor.max_file_bytes = 3000
        assert ingestor.ingest_paths([docs / "log.txt"]).added == 1
    finally:
        runtime.close()
