"""Talk to a LocalChat server over HTTP (the TUI's client), and start one when none answers."""

from localchat.client.http import (
    LocalChatClient,
    ServerUnreachableError,
    error_from_response,
    stream_events,
)
from localchat.client.launch import ServerHandle, ensure_server, server_url, settings_env
from localchat.client.types import (
    Citation,
    CollectionInfo,
    Document,
    FileError,
    Job,
    Model,
    RagConfig,
    Source,
    StreamEvent,
)

__all__ = [
    "Citation",
    "CollectionInfo",
    "Document",
    "FileError",
    "Job",
    "LocalChatClient",
    "Model",
    "RagConfig",
    "ServerHandle",
    "ServerUnreachableError",
    "Source",
    "StreamEvent",
    "ensure_server",
    "error_from_response",
    "server_url",
    "settings_env",
    "stream_events",
]
