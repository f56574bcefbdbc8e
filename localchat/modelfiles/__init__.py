"""Models already on this machine (bundled, Ollama, LM Studio, HF cache, servers), by name."""

from localchat.modelfiles.discover import discover
from localchat.modelfiles.entry import Discovery, ModelEntry

__all__ = ["Discovery", "ModelEntry", "discover"]
