"""`python -m bench.embed GGUF CORPUS key=value…` with the real MiniLM GGUF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import embed as bench_embed


def test_options_are_parsed_as_numbers_booleans_or_text():
    assert bench_embed._number("4") == 4 and bench_embed._number("-1") == -1
    assert bench_embed._number("true") is True and bench_embed._number("false") is False
    assert bench_embed._number("q8_0") == "q8_0"


def test_main_embeds_the_corpus_and_prints_one_json_line(
    minilm_gguf: Path, tmp_path, monkeypatch, capsys
):
    corpus = tmp_path / "corpus.jsonl"
    docs = [
        {"_id": str(n), "title": f"Pump {n}", "text": "seals and filters " * 20} for n in range(6)
    ]
    corpus.write_text("\n".join(json.dumps(doc) for doc in docs))
    argv = ["bench_embed", str(minilm_gguf), str(corpus), "limit=4", "repeat=1", "threads=1"]
    monkeypatch.setattr("sys.argv", argv)
    bench_embed.main()
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["texts"] == 4 and result["tokens"] > 4 * 20
    assert result["threads"] == 1  # the LlamaEmbedder options are echoed
    assert result["model_id"].startswith("all-MiniLM-L6-v2")
    assert result["tokens_per_s"] > 0


def test_unknown_embedder_options_are_refused(minilm_gguf: Path, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"_id": "1", "text": "pump"}))
    monkeypatch.setattr("sys.argv", ["bench_embed", str(minilm_gguf), str(corpus), "colour=red"])
    with pytest.raises(TypeError, match="colour"):
        bench_embed.main()
