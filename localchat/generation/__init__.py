"""Text generation behind one Protocol: llama-cpp-python, an upstream server, or a script."""

from localchat.generation.base import (
    ChatMessage,
    Completion,
    Delta,
    FinishReason,
    GenerationParams,
    Generator,
    Usage,
    collect,
)
from localchat.generation.factory import open_generator

__all__ = [
    "ChatMessage",
    "Completion",
    "Delta",
    "FinishReason",
    "GenerationParams",
    "Generator",
    "Usage",
    "collect",
    "open_generator",
]
