"""Background re-chunk after a chunk_size/chunk_overlap change: build beside, then swap.

Each document's new chunks are written as a second layout next to the serving one (the
retriever only sees a document's current layout), embedded (vectors of unchanged chunk texts
are reused) and added to the index; once every document has its new layout, one transaction
swaps layouts and the old chunks leave the index. Until then the old chunks keep serving.

The text comes from the stored chunks, not from the source files: SQLite is the source of
truth, sources may have moved, and re-parsing untrusted files is what ingestion isolates.
Chunk offsets index the document text exactly, so pasting the chunks back at their offsets
rebuilds every character that was in a chunk; only whitespace that fell between two
non-overlapping chunks is approximated (layouts with overlap have no such gaps inside a page).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Sequence

import msgspec

from localchat.config import RagParams
from localchat.errors import DocumentNotFoundError, LocalChatError
from localchat.ingest.chunker import PAGE_SEPARATOR, chunk_pages
from localchat.ingest.chunks import chunks_from_spans, embed_missing
from localchat.ingest.loaders.document import Page
from localchat.ingest.progress import FileOutcome
from localchat.store.records import ChunkRecord, layout_id


class RechunkProgress(msgspec.Struct):
    documents_total: int = 0
    documents_done: int = 0
    chunks: int = 0
    tokens: int = 0
    current: str = ""


class RechunkReport(msgspec.Struct):
    layout: str
    documents: int
    chunks: int
    tokens: int
    removed_chunks: int
    seconds: float
    swapped: bool
    cancelled: bool = False
    errors: list[FileOutcome] = []


def pages_from_chunks(chunks: Sequence[ChunkRecord]) -> list[Page]:
    """Page texts whose joined document text puts every chunk back at its stored offsets."""
    ordered = sorted(chunks, key=lambda c: (c.char_start, c.char_end))
    if not ordered:
        return []
    text = [" "] * max(c.char_end for c in ordered)
    reached, page = 0, ordered[0].page
    for chunk in ordered:
        if chunk.page == page and chunk.char_start - reached >= 2:
            # Whitespace between non-overlapping chunks is lost; two or more characters of
            # it were most likely a paragraph break, the break the chunker prefers.
            text[reached : reached + 2] = "\n\n"
        text[chunk.char_start : chunk.char_end] = chunk.text
        reached, page = max(reached, chunk.char_end), chunk.page
    firsts: dict[int, int] = {}  # page number → offset of its first chunk
    ends: dict[int, int] = {}
    for chunk in ordered:
        firsts.setdefault(chunk.page, chunk.char_start)
        ends[chunk.page] = max(ends.get(chunk.page, 0), chunk.char_end)
    numbers = sorted(firsts, key=firsts.__getitem__)
    pages, begin = [], 0
    for number, following in zip(numbers, [*numbers[1:], None], strict=True):
        # A page ends where the separator before the next page's first chunk begins, so
        # joining pages with PAGE_SEPARATOR reproduces the stored offsets.
        end = ends[number] if following is None else firsts[following] - len(PAGE_SEPARATOR)
        pages.append(Page(number, "".join(text[begin:end])))
        begin = end + len(PAGE_SEPARATOR)
    return pages


def rechunk(
    library,
    params: RagParams,
    on_progress: Callable[[RechunkProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> RechunkReport:
    """Re-chunk every document not yet in params' layout, then swap layouts (unless cancelled
    or a document failed: then the old chunks keep serving and a later run picks up).

    `library` (localchat.library.Library) does every write: the new layout's chunks beside
    the serving ones, then the swap."""
    started = time.perf_counter()
    layout = layout_id(params.chunk_size, params.chunk_overlap)
    store = library.store
    pending = [doc for doc in store.list_documents() if doc.layout != layout]
    progress = RechunkProgress(documents_total=len(pending))
    errors: list[FileOutcome] = []
    for doc in pending:
        if cancel is not None and cancel.is_set():
            return _report(layout, progress, started, errors, swapped=False, cancelled=True)
        progress.current = doc.path
        try:
            added, tokens = rechunk_document(library, doc.id, params, layout)
        except DocumentNotFoundError:
            added, tokens = 0, 0  # deleted meanwhile: nothing to carry over
        except (LocalChatError, sqlite3.Error, OSError, ValueError) as exc:
            errors.append(FileOutcome.failed(doc.path, exc))
            added, tokens = 0, 0
        progress.documents_done += 1
        progress.chunks += added
        progress.tokens += tokens
        if on_progress:
            on_progress(progress)
    if errors:
        return _report(layout, progress, started, errors, swapped=False)
    removed = library.swap_layout(layout)
    return _report(layout, progress, started, errors, swapped=True, removed=len(removed))


def rechunk_document(library, document_id: int, params: RagParams, layout: str) -> tuple[int, int]:
    """Write document_id's chunks in `layout` beside its serving ones; (chunks, tokens)."""
    store, embedder = library.store, library.embedder
    store.get_document(document_id)  # raises DocumentNotFoundError if it went away
    pages = pages_from_chunks(store.document_chunks(document_id))
    spans = chunk_pages(pages, params.chunk_size, params.chunk_overlap)
    chunks = chunks_from_spans(spans, embedder.count_tokens)
    vectors = embed_missing(store, embedder, chunks)
    ids = library.add_layout(document_id, chunks, vectors, layout=layout)
    return len(ids), sum(c.token_count for c in chunks)


def _report(layout, progress, started, errors, *, swapped, cancelled=False, removed=0):
    return RechunkReport(
        layout=layout,
        documents=progress.documents_done,
        chunks=progress.chunks,
        tokens=progress.tokens,
        removed_chunks=removed,
        seconds=time.perf_counter() - started,
        swapped=swapped,
        cancelled=cancelled,
        errors=errors,
    )
