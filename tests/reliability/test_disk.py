"""Disk full and a read-only data dir: clear errors naming what to do, and no corruption."""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from localchat.errors import StoreError
from localchat.store.store import Store
from tests.reliability.drivers import open_runtime

REPO = Path(__file__).resolve().parents[2]


def small_docs(folder: Path, count: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"note{n}.md"
        path.write_text(f"# Note {n}\n\nThe compressor {n} needs new filters every autumn.\n")
        paths.append(path)
    return paths


def big_doc(folder: Path, megabytes: int) -> Path:
    path = folder / "big.txt"
    line = "Row {n}: turbine blade {n} inspected, cracks none, coating intact, torque logged.\n"
    path.write_text("".join(line.format(n=n) for n in range(megabytes * 12_000)))
    return path


def assert_intact(data: Path, expected_docs: set[str]) -> None:
    store = Store(data / "localchat.db")
    try:
        assert store.integrity_ok()
        names = {d.filename for d in store.list_documents()}
        assert names == expected_docs
        assert (
            store.read(
                "SELECT count(*) FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)"
            )[0][0]
            == 0
        )
    finally:
        store.close()


@contextlib.contextmanager
def tmpfs(path: Path, megabytes: int):
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_disk_full_on_a_tiny_tmpfs_fails_the_file_and_keeps_the_library(tmp_path):
    docs = small_docs(tmp_path / "docs")
    big = big_doc(tmp_path / "docs", 3)
    with tmpfs(tmp_path / "data", 3) as data:
        runtime = open_runtime(str(data))
        try:
            assert runtime.library.ingest(docs).added == 3
            report = runtime.library.ingest([big])
        finally:
            runtime.close()
        assert report.added == 0
        [error] = report.errors
        assert error.error_code == "store_error"
        assert "full" in error.message and "big.txt" in error.message
        assert "free space" in error.message  # the hint says what to do
        assert_intact(data, {"note0.md", "note1.md", "note2.md"})
        runtime = open_runtime(str(data))  # reopens; the index matches the intact library
        try:
            assert runtime.index_state in ("loaded", "rebuilt")
            assert len(runtime.index) == runtime.store.counts()[1] == 3
            assert runtime.search("compressor filters", mode="bm25").hits
        finally:
            runtime.close()


def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_file_size_limit_mid_ingest_fails_cleanly_without_root(tmp_path):
    """The same disk-full condition for anyone: RLIMIT_FSIZE makes writes fail with EFBIG."""
    docs = small_docs(tmp_path / "docs")
    runtime = open_runtime(str(tmp_path / "data"))
    try:
        assert runtime.library.ingest(docs).added == 3
    finally:
        runtime.close()
    db_size = (tmp_path / "data" / "localchat.db").stat().st_size
    big = big_doc(tmp_path / "docs", 3)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.reliability.drivers",
            "ingest",
            str(tmp_path / "data"),
            str(big),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_file_size(db_size + 512 * 1024),
    )
    assert result.returncode == 1, result.stderr[-2000:]  # "a file failed", not a crash
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert_intact(tmp_path / "data", {"note0.md", "note1.md", "note2.md"})


def test_read_only_data_dir_is_a_clear_error_and_changes_nothing(tmp_path):
    docs = small_docs(tmp_path / "docs")
    with tmpfs(tmp_path / "data", 16) as data:
        runtime = open_runtime(str(data))
        try:
            assert runtime.library.ingest(docs).added == 3
        finally:
            runtime.close()
        before = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}
        subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
        with pytest.raises(StoreError) as caught:
            open_runtime(str(data)).close()
        assert "writable" in caught.value.hint
        assert str(data) in caught.value.message
        subprocess.run(["mount", "-o", "remount,rw", str(data)], check=True)
        after = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}
        assert after == before
        assert_intact(data, {"note0.md", "note1.md", "note2.md"})


def test_an_unwritable_index_file_is_a_store_error_and_open_serves_from_memory(tmp_path):
    from localchat.index.vector_index import UsearchIndex, open_index

    runtime = open_runtime(str(tmp_path / "data"))
    try:
        assert runtime.library.ingest(small_docs(tmp_path / "docs")).added == 3
        with pytest.raises(StoreError) as caught:
            runtime.index.save(tmp_path / "missing-dir" / "vectors.usearch")
        assert "rebuilt" in caught.value.hint
        assert not list((tmp_path / "data").glob("*.tmp"))  # no half-written files left
        store, model = runtime.store, runtime.embedder.model_id
        index, state = open_index(store, tmp_path / "missing-dir", model, runtime.embedder.dim)
        assert state == "rebuilt" and isinstance(index, UsearchIndex)
        assert len(index) == store.counts()[1]  # usable although it could not be saved
    finally:
        runtime.close()
