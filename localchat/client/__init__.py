"""Talk to a LocalChat server over HTTP (the TUI's client), and start one when none answers."""

from localchat.client.http import (
    LocalChatClient,
    ServerUnreachableError,
    error_from_response,
    stream_events,
)
from localchat.client.launch import ServerHandle, ensure_server, server_url, settings_env
from localchat.client.types import (
    CollectionView,
    DocumentView,
    Job,
    JobError,
    Model,
    Quote,
    RagConfigView,
    SourceEntry,
    StreamEvent,
    UrlCitation,
)

__all__ = [
    "CollectionView",
    "DocumentView",
    "Job",
    "JobError",
    "LocalChatClient",
    "Model",
    "Quote",
    "RagConfigView",
    "ServerHandle",
    "ServerUnreachableError",
    "SourceEntry",
    "StreamEvent",
    "UrlCitation",
    "ensure_server",
    "error_from_response",
    "server_url",
    "settings_env",
    "stream_events",
]
