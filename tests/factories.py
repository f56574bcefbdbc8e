"""Builders for store rows in tests: one NewDocument and one NewChunk shape, defaults filled."""

from __future__ import annotations

from localchat.store.records import NewChunk, NewDocument


def new_document(
    path: str = "/docs/a.txt",
    *,
    sha256: str = "s1",
    title: str = "t",
    filename: str | None = None,
    size: int = 1,
) -> NewDocument:
    return NewDocument(
        path=path,
        filename=path.rsplit("/", 1)[-1] if filename is None else filename,
        title=title,
        media_type="text/plain",
        sha256=sha256,
        size=size,
        mtime=0.0,
        pages=1,
    )


def new_chunk(
    text: str,
    ordinal: int = 0,
    *,
    content_hash: str | None = None,
    token_count: int = 3,
    section: str = "",
) -> NewChunk:
    """A page-1 chunk spanning all of `text`; its hash defaults to `h-<text>`."""
    return NewChunk(
        ordinal=ordinal,
        text=text,
        page=1,
        char_start=0,
        char_end=len(text),
        token_count=token_count,
        section=section,
        content_hash=f"h-{text}" if content_hash is None else content_hash,
    )
