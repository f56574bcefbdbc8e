"""Every embedder candidate against sentence-transformers, interleaved rounds, one thread each.

    PYTHONPATH=. python -m bench.embedder_table --corpus ../shared/eval/scifact/corpus.jsonl \\
        --limit 150 --rounds 3 --st-python /work/bench-venv/bin/python

Per round: sentence-transformers (bench/st_encode.py in its own venv), then each of
LocalChat's candidates (models/candidates.py) in this process, on the same texts. Prints one
JSON line per round and engine (tokens per CPU-second, tokens/s, query ms, load average) and
the cosine of each engine to the reference vectors of ../shared/fixtures/minilm_reference.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from bench.embed import bench_embedder, load_beir_texts
from localchat.embedding.candidates import default_candidates, llama_candidate
from localchat.modelfiles.locate import require_minilm_dir

HERE = Path(__file__).resolve().parent


def reference_cosines(embedder, reference: Path) -> tuple[float, float]:
    items = json.loads(reference.read_text(encoding="utf-8"))["items"]
    expected = np.asarray([item["embedding"] for item in items], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    got = embedder.embed([item["text"] for item in items])
    cosines = np.sum(got * expected, axis=1)
    return float(cosines.min()), float(cosines.mean())


def st_round(python: str, corpus: Path, limit: int, model_dir: Path) -> dict:
    out = subprocess.run(
        [
            python,
            str(HERE / "st_encode.py"),
            "--model",
            str(model_dir),
            "--corpus",
            str(corpus),
            "--limit",
            str(limit),
            "--threads",
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--st-python", default="")
    parser.add_argument(
        "--reference",
        type=Path,
        default=HERE.parent.parent / "shared/fixtures/minilm_reference.json",
    )
    args = parser.parse_args()
    model_dir = require_minilm_dir()
    texts = load_beir_texts(args.corpus, args.limit)
    folder = Path(tempfile.mkdtemp(prefix="embedder-table-"))
    candidates = [
        *default_candidates(model_dir, amx_safe=False, onnx=True),
        llama_candidate(model_dir, "q8_0"),
    ]
    engines = {c.name: c.open(folder, 1) for c in candidates}
    for name, embedder in engines.items():
        low, mean = reference_cosines(embedder, args.reference)
        print(
            json.dumps({"engine": name, "min_cosine": round(low, 5), "mean_cosine": round(mean, 5)})
        )
    for round_no in range(args.rounds):
        load = os.getloadavg()[0]
        if args.st_python:
            result = st_round(args.st_python, args.corpus, args.limit, model_dir)
            print(json.dumps({"round": round_no, "load": load, **result}), flush=True)
        for name, embedder in engines.items():
            result = bench_embedder(embedder, texts, query_runs=20)
            print(
                json.dumps({"round": round_no, "load": load, "engine": name, **result}), flush=True
            )


if __name__ == "__main__":
    main()
