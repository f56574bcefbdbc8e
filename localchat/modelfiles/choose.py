"""From a discovered name to a model: find its entry, open it as a generator or embedder."""

from __future__ import annotations

from localchat.config import Settings
from localchat.errors import ModelNotFoundError
from localchat.modelfiles.entry import Discovery, Kind, ModelEntry


def find_entry(discovery: Discovery, name: str, kind: Kind | None = None) -> ModelEntry:
    """The entry called `name` (of `kind`, if given); ModelNotFoundError naming the choices."""
    for entry in discovery.models:
        if entry.name == name and (kind is None or entry.kind == kind):
            return entry
    choices = [m.name for m in discovery.models if kind is None or m.kind == kind]
    wrong_kind = next((m for m in discovery.models if m.name == name), None)
    detail = f" (it is a {wrong_kind.kind} model)" if wrong_kind else ""
    return_hint = ", ".join(choices[:12]) or "none found"
    raise ModelNotFoundError(
        f"no {kind or ''} model called {name!r} was found on this machine{detail}".replace(
            "  ", " "
        ),
        hint=f"run `localchat models` to list them; found: {return_hint}",
        param="model",
    )


def open_chat_entry(entry: ModelEntry, settings: Settings):
    """A Generator for a chat entry: llama.cpp on its GGUF file, or its server upstream."""
    models = settings.models
    if entry.local:
        from localchat.generation.llama import LlamaGenerator
        from localchat.modelfiles.convert import amx_ready

        return LlamaGenerator(
            entry.path,
            context_tokens=models.context_tokens,
            threads=models.threads,
            model_id=entry.name,
            extra_buffers=amx_ready(settings),
        )
    from localchat.generation.upstream import UpstreamGenerator

    api_key = models.upstream_api_key if entry.url == models.upstream_base_url else ""
    return UpstreamGenerator(
        entry.url, api_key, entry.remote_model, context_tokens=models.context_tokens
    )


def open_embedding_entry(entry: ModelEntry, settings: Settings):
    """An Embedder for an embedding entry: llama.cpp on its GGUF, or the server's endpoint."""
    models = settings.models
    if entry.bundled:  # MiniLM, converted to GGUF on first use
        import msgspec

        from localchat.embedding.embedder import open_embedder

        plain = msgspec.structs.replace(
            models, embedding_model="", embedding_path="", embedding_base_url=""
        )
        return open_embedder(msgspec.structs.replace(settings, models=plain))
    if entry.local:
        from localchat.embedding.llama_embedder import LlamaEmbedder
        from localchat.modelfiles.convert import amx_ready

        return LlamaEmbedder(entry.path, threads=models.threads, extra_buffers=amx_ready(settings))
    from localchat.embedding.upstream_embedder import UpstreamEmbedder

    return UpstreamEmbedder.from_settings(settings, base_url=entry.url, model=entry.remote_model)
