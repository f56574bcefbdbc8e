"""Embedding throughput and query latency of any Embedder, for `localchat bench` and tuning."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from bench.st_encode import load_texts
from localchat.embedding.embedder import Embedder

QUERIES = (
    "How often should I replace the filter?",
    "what causes insulin resistance",
    "reset router",
    "Which treaty ended the Thirty Years' War?",
)


def load_beir_texts(corpus: Path, limit: int = 1000, max_chars: int = 1024) -> list[str]:
    """The first `limit` documents of a BEIR corpus.jsonl as 'title\\ntext', cut to max_chars:
    the very texts the sentence-transformers baseline (bench/st_encode.py) encodes."""
    return load_texts(corpus, limit, max_chars)


def bench_embedder(
    embedder: Embedder,
    texts: Sequence[str],
    *,
    repeat: int = 1,
    batch_texts: int = 0,
    query_runs: int = 30,
) -> dict[str, float | int | str]:
    """Embed `texts` (whole list per call, or `batch_texts` at a time) and time it.

    Tokens are counted as the model sees them (special tokens included, after the cut at
    max_tokens), the same way bench/st_encode.py counts for sentence-transformers.
    """
    tokens = sum(min(embedder.count_tokens(text), embedder.max_tokens) for text in texts)
    embedder.embed(list(texts[:8]))  # warm-up: first decode allocates buffers
    runs, cpu_runs = [], []
    for _ in range(max(1, repeat)):
        start, cpu_start = time.perf_counter(), time.process_time()
        step = batch_texts or len(texts) or 1
        for offset in range(0, len(texts), step):
            embedder.embed(texts[offset : offset + step])
        runs.append(time.perf_counter() - start)
        cpu_runs.append(time.process_time() - cpu_start)
    best, cpu = min(runs), min(cpu_runs)
    latencies = []
    for run in range(query_runs):
        query = QUERIES[run % len(QUERIES)]
        start = time.perf_counter()
        embedder.embed([query])
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    return {
        "model_id": embedder.model_id,
        "texts": len(texts),
        "tokens": tokens,
        "seconds": round(best, 3),
        "tokens_per_s": round(tokens / best, 1) if best else 0.0,
        "texts_per_s": round(len(texts) / best, 1) if best else 0.0,
        # CPU seconds of this process: on a busy machine tokens per CPU-second at one
        # thread is the steadier figure to compare engines with.
        "cpu_seconds": round(cpu, 3),
        "tokens_per_cpu_s": round(tokens / cpu, 1) if cpu else 0.0,
        "query_ms_median": round(statistics.median(latencies), 2) if latencies else 0.0,
        "query_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else 0.0,
    }


def main() -> None:
    """python -m bench.embed GGUF CORPUS [key=value ...] (LlamaEmbedder args)."""
    import sys

    from localchat.embedding.llama_embedder import LlamaEmbedder

    gguf, corpus, *options = sys.argv[1:]
    kwargs = {key: _number(value) for key, value in (option.split("=", 1) for option in options)}
    limit = int(kwargs.pop("limit", 1000))
    repeat = int(kwargs.pop("repeat", 1))
    with LlamaEmbedder(gguf, **kwargs) as embedder:  # type: ignore[arg-type]
        result = bench_embedder(embedder, load_beir_texts(Path(corpus), limit), repeat=repeat)
    print(json.dumps({**result, **{k: v for k, v in kwargs.items()}}))


def _number(value: str) -> int | bool | str:
    if value in ("true", "false"):
        return value == "true"
    return int(value) if value.lstrip("-").isdigit() else value


if __name__ == "__main__":
    main()
