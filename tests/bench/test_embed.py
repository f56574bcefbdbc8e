"""The embedding benchmark helper (used by `localchat bench`)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.embed import bench_embedder, load_beir_texts
from localchat.embedding.embedder import HashEmbedder


def test_reports_throughput_and_latency() -> None:
    texts = [f"document {n} about pumps and filters" for n in range(50)]
    result = bench_embedder(HashEmbedder(), texts, repeat=2, query_runs=5)
    assert result["texts"] == 50
    assert result["tokens"] == sum(HashEmbedder().count_tokens(text) for text in texts)
    assert result["tokens_per_s"] > 0
    assert result["query_ms_median"] >= 0
    assert result["model_id"] == "hash-embedder-384"


def test_loads_and_cuts_beir_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    docs = [{"_id": str(n), "title": f"T{n}", "text": "x" * 3000} for n in range(5)]
    corpus.write_text("\n".join(json.dumps(doc) for doc in docs), encoding="utf-8")
    texts = load_beir_texts(corpus, limit=3, max_chars=100)
    assert len(texts) == 3
    assert all(len(text) == 100 and text.startswith(f"T{n}\n") for n, text in enumerate(texts))
