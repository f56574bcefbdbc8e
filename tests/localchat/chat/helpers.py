"""Source objects for chat tests."""

from __future__ import annotations

from localchat.chat.types import Source, make_preview


def source(index: int, text: str = "", *, relevance: float = 0.5, page: int = 1) -> Source:
    body = text or f"Passage number {index} about topic {index}."
    return Source(
        index=index,
        chunk_id=100 + index,
        document_id=10 + index,
        filename=f"doc{index}.pdf",
        page=page,
        chunk_index=index - 1,
        relevance=relevance,
        text=body,
        preview=make_preview(body),
    )


def sources(count: int) -> list[Source]:
    return [source(i) for i in range(1, count + 1)]
