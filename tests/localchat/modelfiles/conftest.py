"""Model stores on disk as their owners lay them out, with small real GGUF files in them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from gguf import GGUFWriter, PoolingType

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
)


def write_gguf(
    path: Path,
    *,
    arch: str = "llama",
    chat: bool = True,
    pooling: int | None = None,
    rows: int = 4,
    cols: int = 8,
) -> Path:
    """A real GGUF file (header, metadata, one tensor) that llama.cpp would recognise by header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = GGUFWriter(str(path), arch)
    writer.add_name(path.stem)
    writer.add_context_length(2048)
    writer.add_file_type(1)
    if chat:
        writer.add_chat_template(CHATML)
    if pooling is not None:
        writer.add_pooling_type(PoolingType(pooling))
    writer.add_token_list([f"t{i}" for i in range(40)])  # a long array discovery must skip
    writer.add_tensor("token_embd.weight", np.zeros((rows, cols), dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def add_ollama_model(root: Path, name: str, blob_source: Path, *, link: bool = False) -> Path:
    """Put `blob_source` into an Ollama store as `name` (e.g. "qwen2.5:1.5b"); returns the blob."""
    model, tag = name.split(":")
    parts = model.split("/")
    namespace = ["registry.ollama.ai", "library"] if len(parts) == 1 else ["registry.ollama.ai"]
    digest = hashlib.sha256(blob_source.read_bytes()).hexdigest()
    blob = root / "blobs" / f"sha256-{digest}"
    blob.parent.mkdir(parents=True, exist_ok=True)
    if not blob.exists():
        if link:
            blob.symlink_to(blob_source)
        else:
            blob.write_bytes(blob_source.read_bytes())
    manifest = root / "manifests" / Path(*namespace, *parts, tag)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(
        json.dumps(
            {
                "schemaVersion": 2,
                "layers": [
                    {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:00"},
                    {
                        "mediaType": "application/vnd.ollama.image.model",
                        "digest": f"sha256:{digest}",
                    },
                ],
            }
        )
    )
    return blob


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder
