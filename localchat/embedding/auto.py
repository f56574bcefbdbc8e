"""Open the bundled MiniLM with the engine measured fastest at full accuracy on this machine."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from localchat.config import machine_cache_dir
from localchat.embedding.candidates import (
    default_candidates,
    onnx_available,
    sample_texts,
)
from localchat.embedding.embedder import Embedder
from localchat.embedding.selection import (
    Choice,
    NamedCandidate,
    choose,
    load_choice,
    machine_key,
    save_choice,
)
from localchat.modelfiles.locate import require_minilm_dir

if TYPE_CHECKING:
    from localchat.config import Settings


def models_dir(settings: Settings) -> Path:
    return settings.data_path / "models"


def open_fastest(settings: Settings) -> Embedder:
    """The cached winner, or measure every candidate now (first start: ~10-30 s) and cache."""
    model_dir = require_minilm_dir()
    folder = models_dir(settings)
    candidates = _named(settings, model_dir, folder)
    if settings.models.embedder != "auto":
        return _named_one(candidates, settings.models.embedder).open()
    key = choice_key(model_dir)
    verdicts = machine_cache_dir(settings.models)
    cached = load_choice(verdicts, key)
    if cached is None:
        # Measured on one thread each: tokens per CPU-second compare engines fairly there.
        measured = _named(settings, model_dir, folder, threads=1)
        cached, embedder = choose(measured, sample_texts(model_dir), key)
        save_choice(verdicts, cached)
        embedder.close()
    chosen = next((c for c in candidates if c.name == cached.chosen), candidates[0])
    return chosen.open()


def _named_one(candidates: list[NamedCandidate], name: str) -> NamedCandidate:
    for candidate in candidates:
        if candidate.name == name:
            return candidate
    from localchat.errors import ConfigError

    names = ", ".join(repr(c.name) for c in candidates)
    raise ConfigError(
        f"models.embedder is {name!r}, which is not an engine available here",
        hint=f'use "auto" or one of {names}',
        param="embedder",
    )


def cached_choice(settings: Settings) -> Choice | None:
    """The verdict `localchat doctor` shows; None before the first start measured it."""
    from localchat.modelfiles.locate import bundled_minilm_dir

    model_dir = bundled_minilm_dir()
    if model_dir is None:
        return None
    return load_choice(machine_cache_dir(settings.models), choice_key(model_dir))


def choice_key(model_dir: Path) -> str:
    weights = model_dir / "model.safetensors"
    size = weights.stat().st_size if weights.is_file() else 0
    return machine_key([_version("llama-cpp-python"), _version("onnxruntime"), str(size)])


def _named(
    settings: Settings, model_dir: Path, folder: Path, threads: int | None = None
) -> list[NamedCandidate]:
    from localchat.modelfiles.convert import amx_ready

    threads = settings.models.threads if threads is None else threads
    found = default_candidates(model_dir, amx_safe=amx_ready(settings), onnx=onnx_available())
    return [
        NamedCandidate(c.name, lambda c=c: c.open(folder, threads))  # type: ignore[misc]
        for c in found
    ]


def _version(dist: str) -> str:
    try:
        return f"{dist}={version(dist)}"
    except PackageNotFoundError:
        return f"{dist}=absent"
