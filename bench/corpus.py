"""Synthetic LocalChat data dirs at a given scale, built once in bulk and reused.

A corpus is a real data dir (localchat.db with the product's schema, FTS5 rows, stored vectors,
and the saved USearch index), so `Resources.open` serves it like any user's library. It is
written straight to SQLite in large transactions and added to USearch in batches; the
embedder never runs on the synthetic texts. `vectors.f32.npy` keeps the exact vectors
(row i = chunk id i + 1) for recall against brute force.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import msgspec
import numpy as np

from bench.seeds import SeedSet, slug
from bench.synthetic import generate
from localchat.config import PRESETS
from localchat.store.records import layout_id
from localchat.store.store import Store

GENERATOR_VERSION = 3  # 3: documents join the "default" collection
BATCH = 20_000
CHUNKS_PER_DOCUMENT = 25
VECTORS_FILE = "vectors.f32.npy"
MANIFEST = "manifest.json"


class CorpusInfo(msgspec.Struct):
    path: str
    chunks: int
    seeds: str
    model_id: str
    build_seconds: float
    db_bytes: int
    index_bytes: int

    @property
    def data_dir(self) -> Path:
        return Path(self.path)


def corpus_dir(root: Path, seeds: SeedSet, model_id: str, chunks: int) -> Path:
    name = f"corpus-{seeds.source}{seeds.size}-{chunks}-{slug(model_id)}-g{GENERATOR_VERSION}"
    return root / name


def ensure_corpus(
    root: Path,
    seeds: SeedSet,
    model_id: str,
    chunks: int,
    *,
    log: Callable[[str], None] = lambda _: None,
) -> CorpusInfo:
    """The corpus of `chunks` chunks for this model, built on first use."""
    final = corpus_dir(root, seeds, model_id, chunks)
    if (final / MANIFEST).is_file():
        info = msgspec.json.decode((final / MANIFEST).read_bytes(), type=CorpusInfo)
        return msgspec.structs.replace(info, path=str(final))  # the data dir may have moved
    building = final.with_name(final.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    log(f"building a synthetic corpus of {chunks:,} chunks (once) in {final}…")
    started = time.perf_counter()
    _build(building, seeds, model_id, chunks, log)
    seconds = time.perf_counter() - started
    from localchat.index.vector_index import index_path

    db = building / "localchat.db"
    info = CorpusInfo(
        path=str(final),
        chunks=chunks,
        seeds=seeds.source,
        model_id=model_id,
        build_seconds=round(seconds, 1),
        db_bytes=db.stat().st_size,
        index_bytes=index_path(building, model_id).stat().st_size,
    )
    (building / MANIFEST).write_bytes(msgspec.json.encode(info))
    shutil.rmtree(final, ignore_errors=True)
    building.rename(final)
    return info


def exact_vectors(info: CorpusInfo) -> np.ndarray:
    """The stored float32 vectors, memory-mapped; row i belongs to chunk id i + 1."""
    return np.load(info.data_dir / VECTORS_FILE, mmap_mode="r")


def _build(folder: Path, seeds: SeedSet, model_id: str, chunks: int, log) -> None:
    # Imported here, not at the top: usearch's extension carries its own copy of libstdc++,
    # and when it loads before llama.cpp, llama.cpp's BPE vocab loader fails with
    # std::bad_cast (SmolLM2 will not load). See the bench report.
    from localchat.index.vector_index import UsearchIndex, index_path

    Store(folder / "localchat.db").close()  # the product's own schema and migrations
    conn = sqlite3.connect(folder / "localchat.db", isolation_level=None)
    # A half-built corpus is thrown away whole, so the build needs no journal.
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    dim = seeds.vectors.shape[1]
    # One thread adds to the HNSW graph (the slowest part) while the main thread generates
    # and writes the next batch: both release the GIL, so on 2 cores the two overlap.
    index = UsearchIndex(dim, threads=1)
    exact = np.lib.format.open_memmap(
        folder / VECTORS_FILE, mode="w+", dtype=np.float32, shape=(chunks, dim)
    )
    layout = layout_id(PRESETS["balanced"].chunk_size, PRESETS["balanced"].chunk_overlap)
    adding: Future | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="corpus-index") as pool:
        for start in range(0, chunks, BATCH):
            count = min(BATCH, chunks - start)
            batch = generate(seeds, start, count)
            conn.execute("BEGIN")
            _write_documents(conn, start, count, chunks, layout, model_id)
            _write_chunks(conn, start, batch.texts, batch.vectors, layout, model_id)
            conn.execute("COMMIT")
            exact[start : start + count] = batch.vectors
            if adding is not None:
                adding.result()  # at most one batch waits for the graph: memory stays flat
            keys = np.arange(start + 1, start + count + 1, dtype=np.uint64)
            adding = pool.submit(index.add, keys, batch.vectors)
            log(f"  {start + count:,} / {chunks:,} chunks")
        if adding is not None:
            adding.result()
    exact.flush()
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('corpus_version', '1')")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    index.save(index_path(folder, model_id))


def _write_documents(
    conn: sqlite3.Connection, start: int, count: int, total: int, layout: str, model_id: str
) -> None:
    first = start // CHUNKS_PER_DOCUMENT
    last = (start + count - 1) // CHUNKS_PER_DOCUMENT
    rows = []
    for number in range(first, last + 1):
        chunk_count = min(CHUNKS_PER_DOCUMENT, total - number * CHUNKS_PER_DOCUMENT)
        name = f"synthetic-{number:07d}.txt"
        rows.append(
            (
                number + 1,
                f"synthetic://{name}",
                name,
                name,
                "text/plain",
                hashlib.sha256(name.encode()).hexdigest(),
                0,
                0.0,
                1,
                "ready",
                chunk_count,
                0,
                layout,
                model_id,
                "[]",
                "1970-01-01T00:00:00+00:00",
            )
        )
    conn.executemany(
        "INSERT OR IGNORE INTO documents (id, path, filename, title, media_type, sha256, size, "
        "mtime, pages, status, chunk_count, token_count, layout, embed_model, warnings, "
        "ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    # Every document belongs to a collection; a search names "default" when none is given.
    conn.executemany(
        "INSERT OR IGNORE INTO collection_documents (collection_id, document_id) "
        "SELECT id, ? FROM collections WHERE name = 'default'",
        [(row[0],) for row in rows],
    )


def _write_chunks(
    conn: sqlite3.Connection,
    start: int,
    texts: list[str],
    vectors: np.ndarray,
    layout: str,
    model_id: str,
) -> None:
    hashes = [hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in texts]
    chunk_rows = []
    offset = 0
    for i, (text, digest) in enumerate(zip(texts, hashes, strict=True)):
        number = start + i
        ordinal = number % CHUNKS_PER_DOCUMENT
        if ordinal == 0:
            offset = 0
        tokens = int(len(text) / 4.2) + 2  # estimate: the tokenizer never runs on these
        chunk_rows.append(
            (
                number + 1,
                number // CHUNKS_PER_DOCUMENT + 1,
                layout,
                ordinal,
                text,
                1,
                offset,
                offset + len(text),
                tokens,
                "",
                digest,
            )
        )
        offset += len(text)
    conn.executemany(
        "INSERT INTO chunks (id, document_id, layout, ordinal, text, page, char_start, char_end, "
        "token_count, section, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        chunk_rows,
    )
    dim = vectors.shape[1]
    conn.executemany(
        "INSERT OR IGNORE INTO vectors (content_hash, model, dim, vector) VALUES (?,?,?,?)",
        ((h, model_id, dim, v.tobytes()) for h, v in zip(hashes, vectors, strict=True)),
    )
