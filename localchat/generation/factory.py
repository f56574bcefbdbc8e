"""Pick and open the generator the settings ask for: upstream server, a GGUF file, or SmolLM2."""

from __future__ import annotations

from pathlib import Path

from localchat.config import Settings
from localchat.generation.base import Generator


def open_generator(settings: Settings, name: str | None = None) -> Generator:
    """The chat model called `name` in `localchat models`; without a name, the configured one:
    `models.chat_model` if set, else the upstream server if `models.upstream_base_url` is set,
    else a local GGUF model (`models.generation_path`, or the bundled SmolLM2)."""
    models = settings.models
    name = name or models.chat_model
    if name:
        from localchat.modelfiles import discover
        from localchat.modelfiles.choose import find_entry, open_chat_entry

        # Servers are asked only when the name is not a file on this machine.
        entry = _find(discover(settings, probe_servers=False), name)
        if entry is None:
            entry = find_entry(discover(settings), name, "chat")
        return open_chat_entry(entry, settings)
    if models.upstream_base_url:
        from localchat.generation.upstream import UpstreamGenerator

        return UpstreamGenerator(
            models.upstream_base_url,
            models.upstream_api_key,
            models.upstream_model,
            context_tokens=models.context_tokens,
        )
    from localchat.generation.llama import LlamaGenerator
    from localchat.modelfiles.convert import amx_ready
    from localchat.modelfiles.locate import require_smollm2_gguf

    path = (
        Path(models.generation_path).expanduser()
        if models.generation_path
        else require_smollm2_gguf()
    )
    return LlamaGenerator(
        path,
        context_tokens=models.context_tokens,
        threads=models.threads,
        extra_buffers=amx_ready(settings),
    )


def _find(discovery, name: str):
    return next((m for m in discovery.models if m.name == name and m.kind == "chat"), None)
