"""What a LocalChat server sends back: the wire Structs the server encodes (localchat.wire),
decoded tolerantly (unknown fields ignored), and the events of an answer's stream."""

from __future__ import annotations

from typing import Any

import msgspec

from localchat.errors import LocalChatError
from localchat.wire.api import CollectionView, DocumentView, RagConfigView
from localchat.wire.jobs import Job, JobError
from localchat.wire.openai import Model
from localchat.wire.sources import Quote, SourceEntry, UrlCitation

__all__ = [
    "CollectionView", "DocumentView", "Job", "JobError", "Model", "Quote", "RagConfigView",
    "SourceEntry", "StreamEvent", "UrlCitation", "decode", "items",
]  # fmt: skip


class StreamEvent(msgspec.Struct):
    """kind: "sources" (first), "delta" (answer text), "done" (finish reason, citations)."""

    kind: str
    text: str = ""
    sources: list[SourceEntry] = []
    citations: list[UrlCitation] = []  # each annotation's url_citation: where a marker sits
    finish_reason: str = ""


def decode(data: Any, kind: Any) -> Any:
    try:
        return msgspec.convert(data, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise LocalChatError(
            f"the server sent an unexpected reply ({exc})",
            hint="make sure the server and the TUI are the same LocalChat version",
        ) from None


def items(body: Any) -> list:
    """A list reply, bare or wrapped OpenAI-style in {"data": [...]}."""
    if isinstance(body, dict):
        for key in ("data", "documents", "hits", "results"):
            if isinstance(body.get(key), list):
                return body[key]
    return body if isinstance(body, list) else []
