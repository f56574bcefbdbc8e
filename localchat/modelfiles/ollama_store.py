"""Ollama's model store on disk: manifests map `name:tag` to blobs that are plain GGUF files.

Layout: `<root>/manifests/<registry>/<namespace>/<model>/<tag>` (JSON) and
`<root>/blobs/sha256-<hex>`. The layer with media type `application/vnd.ollama.image.model`
is the GGUF, which llama.cpp opens directly: no Ollama process is needed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from localchat.modelfiles.entry import ModelEntry, try_gguf_entry

MODEL_LAYER = "application/vnd.ollama.image.model"
DEFAULT_REGISTRY = "registry.ollama.ai"
MAX_MANIFESTS = 1000


def ollama_root(home: Path, env: Mapping[str, str]) -> Path:
    return (
        Path(env["OLLAMA_MODELS"]).expanduser()
        if env.get("OLLAMA_MODELS")
        else (home / ".ollama" / "models")
    )


def ollama_name(manifest: Path, manifests: Path) -> str:
    """`registry.ollama.ai/library/qwen2.5/1.5b` → `qwen2.5:1.5b`, as `ollama list` shows it."""
    parts = manifest.relative_to(manifests).parts
    *prefix, model, tag = parts
    if prefix[:2] == [DEFAULT_REGISTRY, "library"]:
        prefix = []
    elif prefix[:1] == [DEFAULT_REGISTRY]:
        prefix = prefix[1:]
    return "/".join([*prefix, model]) + f":{tag}"


def scan_ollama(root: Path, warnings: list[str]) -> list[ModelEntry]:
    manifests = root / "manifests"
    if not manifests.is_dir():
        return []
    entries = []
    files = sorted(p for p in manifests.rglob("*") if p.is_file())
    for manifest in files[:MAX_MANIFESTS]:
        if len(manifest.relative_to(manifests).parts) < 3:
            continue
        name = ollama_name(manifest, manifests)
        blob = _model_blob(manifest, root, name, warnings)
        if blob is not None and (entry := try_gguf_entry(blob, name, "ollama", warnings)):
            entries.append(entry)
    return entries


def _model_blob(manifest: Path, root: Path, name: str, warnings: list[str]) -> Path | None:
    try:
        layers = json.loads(manifest.read_text(encoding="utf-8")).get("layers", [])
        digest = next(layer["digest"] for layer in layers if layer.get("mediaType") == MODEL_LAYER)
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        warnings.append(f"ollama: skipped {name}: manifest {manifest} is unreadable")
        return None
    except StopIteration:
        warnings.append(f"ollama: skipped {name}: its manifest has no model layer")
        return None
    blob = root / "blobs" / str(digest).replace(":", "-")
    if not blob.is_file():
        warnings.append(f"ollama: skipped {name}: blob {blob.name} is missing (ollama pull {name})")
        return None
    return blob
