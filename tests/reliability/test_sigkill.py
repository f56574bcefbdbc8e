"""SIGKILL during ingestion, for real and many times: after each kill the database passes
`PRAGMA integrity_check`, no chunk lacks its document or vector, the FTS index agrees with
the chunks, the vector index matches SQLite (or is rebuilt on open), every document is fully
present or absent, and re-running the ingest completes the library."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from hashlib import sha256
from pathlib import Path

import pytest

from localchat.index.vector_index import open_index
from localchat.store.store import Store
from tests.reliability.drivers import FastEmbedder

REPO = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("LOCALCHAT_TEST_KILLS", "8"))
WORDS = [
    "pump",
    "seal",
    "valve",
    "gasket",
    "bearing",
    "rotor",
    "stator",
    "flange",
    "impeller",
    "housing",
    "shaft",
]


def write_library(folder: Path, version: int, files: int = 80) -> None:
    """The same 80 files; version 1 changes every file, so ingesting it replaces them all."""
    rng = random.Random(11)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        paragraphs = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randrange(40, 120))) + f" file{n}."
            for _ in range(rng.randrange(20, 60))
        ]
        suffix = ".md" if n % 2 else ".txt"
        paragraphs.insert(rng.randrange(len(paragraphs)), f"Revision {version} of file {n}.")
        (folder / f"doc{n:03d}{suffix}").write_text(f"# Doc {n}\n\n" + "\n\n".join(paragraphs))


def start_ingest(data: Path, folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.drivers", "ingest", str(data), str(folder)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its parser worker shares the session: we can find it
    )


def session_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def library_state(data: Path) -> dict[str, str]:
    """Check every invariant; return {filename: digest of its chunks} for what is stored."""
    store = Store(data / "localchat.db")
    try:
        assert store.integrity_ok()
        assert (
            store.read(
                "SELECT count(*) FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)"
            )[0][0]
            == 0
        )
        assert (
            store.read(
                "SELECT count(*) FROM chunks c LEFT JOIN vectors v ON "
                "v.content_hash = c.content_hash WHERE v.content_hash IS NULL"
            )[0][0]
            == 0
        )
        with store.transaction() as conn:  # raises if FTS rows and chunks disagree
            conn.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")
        for doc_id, declared, actual in store.read(
            "SELECT d.id, d.chunk_count, (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)"
            " FROM documents d"
        ):
            assert declared == actual, f"document {doc_id} is partly stored"
        embedder = FastEmbedder()
        index, state = open_index(store, data, embedder.model_id, embedder.dim)
        ids = {row[0] for row in store.read("SELECT id FROM chunks")}
        assert state in ("loaded", "rebuilt", "empty")
        assert set(index.keys().tolist()) == ids
        state_by_doc = {}
        for doc_id, filename in store.read("SELECT id, filename FROM documents"):
            texts = store.read(
                "SELECT text FROM chunks WHERE document_id = ? ORDER BY ordinal", (doc_id,)
            )
            state_by_doc[filename] = sha256("\x00".join(t for (t,) in texts).encode()).hexdigest()
        return state_by_doc
    finally:
        store.close()


@pytest.mark.slow
def test_sigkill_during_ingestion_never_loses_or_corrupts_anything(tmp_path):
    folder = tmp_path / "library"
    # References: one uninterrupted run per version gives each file's exact chunks.
    references, run_seconds = [], []
    for version in (0, 1):
        write_library(folder, version)
        started = time.monotonic()
        run = start_ingest(tmp_path / f"reference{version}", folder)
        assert run.wait(120) == 0, run.stderr.read().decode()[-2000:]
        run_seconds.append(time.monotonic() - started)
        references.append(library_state(tmp_path / f"reference{version}"))
        assert len(references[-1]) == 80
    full_run_s = min(run_seconds)

    data = tmp_path / "data"
    rng = random.Random(2026)
    kills_landed = 0
    sizes = []  # documents stored after each kill
    for kill in range(KILLS):
        write_library(folder, kill % 2)  # every run after the first replaces documents
        process = start_ingest(data, folder)
        time.sleep(rng.uniform(0.3, max(0.5, full_run_s * 0.9)))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills_landed += 1
        process.wait(30)
        deadline = time.monotonic() + 10  # the orphaned parser worker notices and exits
        while session_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not session_alive(process.pid), "the parser worker outlived its parent"
        stored = library_state(data)
        sizes.append(len(stored))
        for filename, digest in stored.items():  # present means complete: old or new, whole
            assert digest in (references[0][filename], references[1][filename]), filename
    assert kills_landed >= KILLS // 2  # most kills hit a running ingest
    assert any(0 < size < 80 for size in sizes), sizes  # some hit mid-library
    print(f"documents stored after each kill: {sizes} (uninterrupted run {full_run_s:.1f} s)")

    write_library(folder, 1)
    final = start_ingest(data, folder)
    assert final.wait(120) == 0, final.stderr.read().decode()[-2000:]
    assert library_state(data) == references[1]
