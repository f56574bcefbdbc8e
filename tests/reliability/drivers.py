"""Subprocess entry points for reliability tests (clean memory figures, killable ingestion).

python -m tests.reliability.drivers ingest DATA_DIR PATH...   (exit 1 if any file failed)
python -m tests.reliability.drivers measure DATA_DIR PARSE_MB PATH...  (prints JSON)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import resource
import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec
import numpy as np

from localchat.config import load_settings
from localchat.embedding.embedder import HashEmbedder
from localchat.resources import Resources


class FastEmbedder(HashEmbedder):
    """Like HashEmbedder (same model id, so data dirs are interchangeable) but one hash per
    text: fast enough to push tens of megabytes through the pipeline in a test."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[row] = vector / np.linalg.norm(vector)
        return out


def open_runtime(data_dir: str, parse_mb: int = 1024) -> Resources:
    settings = load_settings(data_dir=data_dir, environ={})
    ingest = msgspec.structs.replace(settings.ingest, parse_memory_mb=parse_mb)
    settings = msgspec.structs.replace(settings, ingest=ingest)
    return Resources.open(settings, embedder=FastEmbedder(), isolate_parsing=True)


def _peak_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(data_dir: str, parse_mb: int, paths: list[str]) -> dict:
    runtime = open_runtime(data_dir, parse_mb)
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        worker_peak = 0.0

        def on_progress(_progress) -> None:
            nonlocal worker_peak
            pid = runtime._parser_pool.worker_pid if runtime._parser_pool else None
            if pid is not None:
                with contextlib.suppress(OSError):
                    worker_peak = max(worker_peak, _peak_mb(pid))

        report = runtime.library.ingest(paths, on_progress=on_progress)
        return {
            "rss_before_mb": before,
            "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_mb": worker_peak,
            "added": report.added,
            "chunks": report.chunks,
            "errors": [[e.path, e.error_code, e.message] for e in report.errors],
        }
    finally:
        runtime.close()


def main(argv: list[str]) -> int:
    command, data_dir, *rest = argv
    if command == "ingest":
        runtime = open_runtime(data_dir)
        try:
            report = runtime.library.ingest(rest)
        finally:
            runtime.close()
        return 1 if report.failed else 0
    if command == "measure":
        print(json.dumps(measure(data_dir, int(rest[0]), rest[1:])))
        return 0
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
