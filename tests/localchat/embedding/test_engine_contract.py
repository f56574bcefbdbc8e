"""The engine contract for the bundled MiniLM: the fake, llama.cpp and ONNX Runtime engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from localchat.embedding.embedder import Embedder, HashEmbedder

LONG = " ".join(f"word{n} is followed by" for n in range(300))
ENGINES = ["hash", "llama.cpp f32", "onnxruntime fp32", "onnxruntime int8"]


@pytest.fixture(scope="session")
def models_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("contract-models")


@pytest.fixture(scope="session", params=ENGINES)
def any_embedder(request, minilm_dir: Path, models_folder: Path) -> Iterator[Embedder]:
    from localchat.embedding.candidates import default_candidates

    if request.param == "hash":
        embedder: Embedder = HashEmbedder()
    else:
        pytest.importorskip("onnxruntime")
        found = {c.name: c for c in default_candidates(minilm_dir, amx_safe=False, onnx=True)}
        embedder = found[request.param].open(models_folder, 1)
    yield embedder
    embedder.close()


def test_is_an_embedder_with_a_stable_model_id(any_embedder) -> None:
    assert isinstance(any_embedder, Embedder)
    assert any_embedder.model_id and any_embedder.model_id == any_embedder.model_id
    assert any_embedder.dim == 384


def test_shape_dtype_and_unit_rows(any_embedder) -> None:
    vectors = any_embedder.embed(["alpha", "a somewhat longer second text", ""])
    assert vectors.shape == (3, any_embedder.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)


def test_empty_input_gives_zero_rows(any_embedder) -> None:
    vectors = any_embedder.embed([])
    assert vectors.shape == (0, any_embedder.dim)


def test_rows_follow_input_order_and_batching_does_not_matter(any_embedder) -> None:
    texts = ["short", LONG, "a medium sized sentence about pumps and filters", "x y"]
    forward = any_embedder.embed(texts)
    backward = any_embedder.embed(texts[::-1])[::-1]
    singles = np.vstack([any_embedder.embed([text]) for text in texts])
    # int8 activations are scaled per token, so batch composition cannot move a vector.
    assert np.min(np.sum(forward * backward, axis=1)) > 0.9998
    assert np.min(np.sum(forward * singles, axis=1)) > 0.9998


def test_words_past_the_token_limit_do_not_change_the_vector(any_embedder) -> None:
    assert any_embedder.count_tokens(LONG) > any_embedder.max_tokens
    other = LONG + " an entirely different ending about volcanoes" * 20
    first, second = any_embedder.embed([LONG, other])
    assert float(first @ second) > 0.99999


def test_similar_texts_are_closer_than_unrelated(any_embedder) -> None:
    query, near, far = any_embedder.embed(
        [
            "How often should I replace the filter?",
            "How often should I replace the filter cartridge?",
            "The treaty was signed in 1648.",
        ]
    )
    assert query @ near > query @ far + 0.2


def test_token_counts_include_special_tokens(any_embedder) -> None:
    assert any_embedder.count_tokens("") >= 2
    assert any_embedder.count_tokens("one two three") > any_embedder.count_tokens("one")


def test_real_engines_match_the_reference_vectors(any_embedder, reference) -> None:
    if isinstance(any_embedder, HashEmbedder):
        pytest.skip("the fake is not a model")
    texts = [item["text"] for item in reference["items"]]
    vectors = any_embedder.embed(texts)
    for item, vector in zip(reference["items"], vectors, strict=True):
        cosine = float(vector @ item["embedding"])
        assert cosine >= 0.999, f"{any_embedder.model_id} {item['text'][:40]!r}: {cosine:.5f}"
        seen = min(any_embedder.count_tokens(item["text"]), any_embedder.max_tokens)
        assert seen == item["tokens_with_special"]


def test_token_ids_embed_like_their_text(any_embedder) -> None:
    """/v1/embeddings accepts token-id arrays for the engines that tokenise (llama.cpp, ONNX)."""
    if not hasattr(any_embedder, "embed_tokens"):
        pytest.skip("this engine takes text only")
    text = "The elastic stop nut has a fiber locking collar."
    ids = any_embedder.tokenize(text)
    assert all(0 <= token < any_embedder.vocab_size for token in ids)
    by_ids = any_embedder.embed_tokens([ids])[0]
    assert float(by_ids @ any_embedder.embed([text])[0]) >= 0.9999
