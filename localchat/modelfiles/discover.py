"""Every model LocalChat can use on this machine, from every source, read-only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import httpx

from localchat.config import Settings
from localchat.modelfiles import local_sources, ollama_store, servers
from localchat.modelfiles.entry import Discovery, ModelEntry


def discover(
    settings: Settings,
    *,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    probe_servers: bool = True,
) -> Discovery:
    """Bundled pair, settings paths, Ollama's store, LM Studio, the HF cache, then servers.

    Never downloads and never raises for a bad file or a silent server: those become warning
    lines. A name found twice keeps its first source (a local file beats the same name on a
    server); later ones are listed as `<origin>/<name>`."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    warnings: list[str] = []
    found = local_sources.bundled(_converted_minilm(settings), warnings)
    found += local_sources.configured(settings.models.search_paths, warnings)
    found += ollama_store.scan_ollama(ollama_store.ollama_root(home, env), warnings)
    for root in local_sources.lmstudio_roots(home):
        found += local_sources.scan_tree(root, "lmstudio", warnings)
    for root in local_sources.huggingface_roots(home, env):
        found += local_sources.scan_tree(root, "huggingface", warnings)
    if probe_servers:
        found += _served(settings, warnings, {m.name for m in found if m.origin == "ollama"})
    return Discovery(models=_unique(found), warnings=warnings)


def _served(settings: Settings, warnings: list[str], in_store: set[str]) -> list[ModelEntry]:
    models = settings.models
    found: list[ModelEntry] = []
    with httpx.Client(timeout=servers.PROBE_TIMEOUT) as client:
        if models.probe_ollama:
            # Models in Ollama's store are run from their blob; the server's copy would repeat it.
            listed = servers.probe_ollama(servers.OLLAMA_URL, warnings, client)
            found += [m for m in listed if m.name not in in_store]
        for url in models.servers:
            if not (models.allow_remote_servers or servers.is_loopback(url)):
                warnings.append(
                    f"server: skipped {url}: not a loopback address "
                    "(set models.allow_remote_servers = true to probe it)"
                )
                continue
            found += servers.probe_openai(url, warnings, client)
    return found


def _unique(entries: list[ModelEntry]) -> list[ModelEntry]:
    seen: dict[str, ModelEntry] = {}
    for entry in entries:
        name = entry.name if entry.name not in seen else f"{entry.origin}/{entry.name}"
        if name in seen:
            continue  # the same file reached twice (a settings path inside a scanned folder)
        seen[name] = entry if name == entry.name else _renamed(entry, name)
    return list(seen.values())


def _renamed(entry: ModelEntry, name: str) -> ModelEntry:
    import msgspec

    return msgspec.structs.replace(entry, name=name)


def _converted_minilm(settings: Settings) -> Path | None:
    """The bundled MiniLM, if it was converted already (discovery never converts)."""
    from localchat.modelfiles.convert import embedding_gguf_path

    for dtype in ("f32", "q8_0", "f16", "bf16"):
        path = embedding_gguf_path(settings, dtype)
        if path.is_file():
            return path
    return None


def embedding_name(settings: Settings) -> str:
    """The configured embedding model by its discovery name."""
    models = settings.models
    if models.embedding_model:
        return models.embedding_model
    if models.embedding_path:
        return Path(models.embedding_path).name.removesuffix(".gguf")
    return local_sources.MINILM_NAME
