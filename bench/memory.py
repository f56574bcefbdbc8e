"""Memory: peak RSS of a process holding a library of N chunks and answering searches (index,
SQLite pages, caches), against the same process over an empty library; and the file sizes.

Each measurement runs in a fresh child process (`python -m bench.memory`), so one
library's pages never count toward another's peak.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec

EMBEDDING_ENV = "LOCALCHAT_MODELS_EMBEDDING_PATH"


class MemoryFigures(msgspec.Struct):
    baseline_peak_rss_mb: float  # the same process over an empty library
    peak_rss_mb: dict[str, float]  # chunks -> peak RSS of the whole process
    # RSS the library adds after open + searches (index, SQLite pages, caches), beyond an
    # empty library's, scaled to 100k chunks from the largest library measured
    rss_mb_per_100k_chunks: float | None
    library_mb: dict[str, float]  # chunks -> RSS added by opening and searching the library
    index_mb_per_100k_chunks: float | None
    db_mb_per_100k_chunks: float | None
    files_mb: dict[str, dict[str, float]]  # chunks -> {"index", "db"}


def run(
    libraries: dict[int, Path],
    empty_dir: Path,
    embedding_path: Path,
    queries: Sequence[str],
    log: Callable[[str], None],
) -> MemoryFigures:
    empty = probe(empty_dir, embedding_path, queries)
    peaks: dict[str, float] = {}
    added: dict[str, float] = {}
    files: dict[str, dict[str, float]] = {}
    for chunks, data_dir in sorted(libraries.items()):
        found = probe(data_dir, embedding_path, queries)
        peaks[str(chunks)] = found["peak_rss_mb"]
        added[str(chunks)] = found["library_mb"]
        files[str(chunks)] = file_sizes_mb(data_dir)
        log(f"memory: {chunks:,} chunks add {found['library_mb']:.0f} MB RSS")
    largest = max(libraries) if libraries else 0
    per = 100_000 / largest if largest else 0.0
    return MemoryFigures(
        baseline_peak_rss_mb=empty["peak_rss_mb"],
        peak_rss_mb=peaks,
        rss_mb_per_100k_chunks=(
            round((added[str(largest)] - empty["library_mb"]) * per, 1) if largest else None
        ),
        library_mb=added,
        index_mb_per_100k_chunks=round(files[str(largest)]["index"] * per, 1) if largest else None,
        db_mb_per_100k_chunks=round(files[str(largest)]["db"] * per, 1) if largest else None,
        files_mb=files,
    )


def file_sizes_mb(data_dir: Path) -> dict[str, float]:
    index = sum(p.stat().st_size for p in data_dir.glob("vectors-*.usearch"))
    db = sum(p.stat().st_size for p in data_dir.glob("localchat.db*"))
    return {"index": round(index / 2**20, 1), "db": round(db / 2**20, 1)}


def probe(data_dir: Path, embedding_path: Path, queries: Sequence[str]) -> dict[str, float]:
    env = {**os.environ, EMBEDDING_ENV: str(embedding_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", str(data_dir), json.dumps(list(queries))],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _status_mb(field: str) -> float:
    """VmRSS / VmHWM from /proc (Linux); elsewhere the peak from getrusage for both."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS


def _child(data_dir: str, queries_json: str) -> None:
    from localchat.config import load_settings
    from localchat.embedding.embedder import open_embedder
    from localchat.resources import Resources

    settings = load_settings(data_dir=data_dir)
    embedder = open_embedder(settings)
    embedder.embed(["warm up"])  # the model's own buffers are not the library's cost
    before = _status_mb("VmRSS")
    runtime = Resources.open(settings, embedder=embedder, isolate_parsing=False)
    try:
        for query in json.loads(queries_json):
            runtime.search(query)
        after = _status_mb("VmRSS")
        print(
            json.dumps(
                {
                    "rss_before_mb": round(before, 1),
                    "rss_after_mb": round(after, 1),
                    "peak_rss_mb": round(_status_mb("VmHWM"), 1),
                    "library_mb": round(after - before, 1),
                    "chunks": runtime.store.counts()[1],
                    "index": runtime.index_state,
                }
            )
        )
    finally:
        runtime.close()


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
