"""The ways LocalChat can run the bundled MiniLM, each buildable from the model package alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from localchat.embedding.embedder import Embedder
from localchat.modelfiles.convert import MODEL_NAME, convert_minilm

# Calibration and check texts must ship with LocalChat (no evaluation data at run time):
# the model package's own README is real English prose, topped up with short queries.
QUERIES = (
    "How often should I replace the filter?",
    "what causes insulin resistance",
    "reset router",
    "Which treaty ended the Thirty Years' War?",
    "The mitochondria is the powerhouse of the cell.",
    "Ünïcödé façade naïve café — résumé",
)


@dataclass(frozen=True)
class Candidate:
    """One engine + weight format; `open` builds missing files in `models_dir` first."""

    name: str
    open: Callable[[Path, int], Embedder]


def sample_texts(model_dir: Path, passage_chars: int = 1000, passages: int = 16) -> list[str]:
    """Short queries plus chunk-sized passages cut from the model package's README.

    Passages as long as the balanced preset's chunks (~230 tokens), because engines differ
    most in per-call overhead: measured on short texts alone, llama.cpp f32 "beat" ONNX
    Runtime int8 2,300 to 1,600 tokens/CPU-s, while on SciFact abstracts it is 2,100 to 3,400.
    The README (~10 kB) is read as a ring of words, each passage starting further on.
    """
    try:
        readme = (model_dir / "README.md").read_text(encoding="utf-8")
    except OSError:
        readme = ""
    readme = re.sub(r"^---.*?---", "", readme, flags=re.S)  # the model card's YAML header
    words = re.sub(r"[`#*|\[\]()<>=-]+", " ", readme).split() or list(QUERIES)
    out = list(QUERIES)
    step = max(1, len(words) // passages)
    for start in range(0, step * passages, step):
        passage, offset = "", start
        while len(passage) < passage_chars:
            passage = f"{passage} {words[offset % len(words)]}".strip()
            offset += 1
        out.append(passage)
    return out


def gguf_file(models_dir: Path, model_dir: Path, dtype: str) -> Path:
    path = models_dir / f"{MODEL_NAME}.{dtype}.gguf"
    if not path.is_file():
        convert_minilm(model_dir, path, dtype=dtype)
    return path


def llama_candidate(model_dir: Path, dtype: str, extra_buffers: bool = False) -> Candidate:
    def open_(models_dir: Path, threads: int) -> Embedder:
        from localchat.embedding.llama_embedder import LlamaEmbedder

        path = gguf_file(models_dir, model_dir, dtype)
        return LlamaEmbedder(path, threads=threads, extra_buffers=extra_buffers)

    return Candidate(f"llama.cpp {dtype}", open_)


def onnx_candidate(model_dir: Path, int8: bool) -> Candidate:
    variant = "int8" if int8 else "fp32"

    def open_(models_dir: Path, threads: int) -> Embedder:
        from localchat.embedding.gguf_tokenizer import GgufTokenizer
        from localchat.embedding.onnx_embedder import OnnxEmbedder

        tokenizer = GgufTokenizer(gguf_file(models_dir, model_dir, "f32"))
        path = models_dir / f"{MODEL_NAME}.onnx-{variant}.onnx"
        if not path.is_file():
            build_onnx(model_dir, path, tokenizer, int8=int8)
        return OnnxEmbedder(path, tokenizer, name=f"{MODEL_NAME}.onnx-{variant}", threads=threads)

    return Candidate(f"onnxruntime {variant}", open_)


def build_onnx(model_dir: Path, path: Path, tokenizer, *, int8: bool) -> Path:
    """Export the graph; for int8, calibrate SmoothQuant on shipped text and convert."""
    import onnx

    from localchat.embedding.onnx_export import export_minilm_onnx
    from localchat.embedding.onnx_quant import (
        activation_ranges,
        default_int8_nodes,
        quantise_linears,
        smooth_linears,
    )

    if not int8:
        return export_minilm_onnx(model_dir, path)
    fp32 = export_minilm_onnx(model_dir, path.with_suffix(".fp32-tmp"))
    model = onnx.load(str(fp32))
    fp32.unlink()
    layers = sum(1 for node in model.graph.node if node.name.endswith(".q.matmul"))
    nodes = default_int8_nodes(layers)
    calibration = [tokenizer.cut(tokenizer.tokenize(text), 256) for text in sample_texts(model_dir)]
    ranges = activation_ranges(model, calibration, nodes)
    tmp = path.with_suffix(".int8-tmp")
    onnx.save(quantise_linears(smooth_linears(model, ranges, nodes), nodes), str(tmp))
    tmp.replace(path)  # readers see no file or the whole int8 model
    return path


def default_candidates(model_dir: Path, *, amx_safe: bool, onnx: bool) -> list[Candidate]:
    """Every engine worth measuring here; the first one is the accuracy reference."""
    found = [llama_candidate(model_dir, "f32")]
    # q8_0 is only fast on llama.cpp's AMX kernels, which a GCC build miscompiles (amx.py).
    if amx_safe:
        found.append(llama_candidate(model_dir, "q8_0", extra_buffers=True))
    if onnx:
        found += [onnx_candidate(model_dir, int8=False), onnx_candidate(model_dir, int8=True)]
    return found


def onnx_available() -> bool:
    from importlib.util import find_spec

    return find_spec("onnxruntime") is not None and find_spec("onnx") is not None
