"""Ingestion: parse → chunk → embed → store + index, in three overlapping stages."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

import msgspec
import numpy as np

from localchat.config import IngestSettings, RagParams
from localchat.embedding.embedder import Embedder
from localchat.errors import LocalChatError
from localchat.ingest.batching import document_batches, drain
from localchat.ingest.chunker import chunk_pages
from localchat.ingest.chunks import chunks_from_spans, embed_missing
from localchat.ingest.files import check_file_size, file_sha256, walk_paths
from localchat.ingest.loaders import LoadedDocument
from localchat.ingest.progress import FileOutcome, IngestProgress, IngestReport
from localchat.store.collections import DEFAULT, collection_name
from localchat.store.records import NewChunk, NewDocument, WriteResult, layout_id
from localchat.store.store import Store

# Chunks per embed call: the embedder sorts a call's texts by length, so a larger call pads
# less (ingest/batching.py). The parsed queue holds enough small documents to fill one.
EMBED_BATCH = 256
PARSED_QUEUE_DOCUMENTS = 128
_DONE = object()


class Parsed(msgspec.Struct):
    """A document parsed and chunked, waiting for its vectors."""

    doc: NewDocument
    chunks: list[NewChunk]
    vectors: dict[str, np.ndarray] = {}


class Write(Protocol):
    """The write stage's one call: `Library.add` (SQLite, vector index and cache in step)."""

    def __call__(
        self,
        doc: NewDocument,
        chunks: list[NewChunk],
        vectors: dict[str, np.ndarray],
        *,
        model: str,
        layout: str,
        collection: str,
    ) -> WriteResult: ...


class Ingestor:
    """One ingestion run's stages. Owns no resources and writes nothing itself: it reads the
    store (unchanged files, known vectors) and hands each document to `write` (Library.add),
    which serialises runs too."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        params: RagParams,
        *,
        write: Write,
        load: Callable[[Path], LoadedDocument],
        max_file_bytes: int | None = None,
        follow_symlinks: bool = False,
        collection: str = DEFAULT,
        join: Callable[[list[int], str], int] | None = None,
    ) -> None:
        self.store = store
        # Every file of the run joins it, unchanged ones too (created when missing): `join`
        # (Library.join_collection) puts an unchanged file's document in it.
        self.collection = collection_name(collection, allow_all=False)
        self.join = join or store.add_to_collection
        self.embedder = embedder
        self.params = params
        self.write = write
        self.load = load
        # Files from disk only: uploads are refused at that size while being received.
        self.max_file_bytes = (
            IngestSettings().max_file_bytes if max_file_bytes is None else max_file_bytes
        )
        self.follow_symlinks = follow_symlinks  # ingest.follow_symlinks: links out of a folder

    # -- public ----------------------------------------------------------------------------

    def ingest_paths(
        self,
        paths: Iterable[str | Path],
        on_progress: Callable[[IngestProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> IngestReport:
        files, walk_errors = walk_paths(paths, follow_symlinks=self.follow_symlinks)
        return self._run(
            files, self._parse_file, on_progress, cancel, initial=walk_errors, total=len(files)
        )

    def ingest_documents(
        self,
        items: Iterable[tuple[NewDocument, LoadedDocument]],
        total: int,
        on_progress: Callable[[IngestProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> IngestReport:
        """Ingest already-loaded documents (corpora, uploads held in memory)."""
        return self._run(items, self._parse_loaded, on_progress, cancel, total=total)

    # -- stages ----------------------------------------------------------------------------

    def _run(self, items, parse, on_progress, cancel, *, total, initial=()) -> IngestReport:
        failures = [o for o in initial if o.status != "skipped"]
        progress = IngestProgress(files_total=total + len(failures))
        progress.skipped = [o for o in initial if o.status == "skipped"]
        for outcome in failures:
            progress.record(outcome)
        cancel = cancel or threading.Event()
        started = time.perf_counter()
        parsed_q: queue.Queue = queue.Queue(maxsize=PARSED_QUEUE_DOCUMENTS)
        write_q: queue.Queue = queue.Queue(maxsize=8)
        report_lock = threading.Lock()

        def report(outcome: FileOutcome) -> None:
            with report_lock:
                progress.record(outcome)
                if on_progress:
                    on_progress(progress)

        parser = threading.Thread(
            target=self._parse_stage,
            args=(items, parse, parsed_q, report, cancel),
            name="ingest-parse",
            daemon=True,
        )
        writer = threading.Thread(
            target=self._write_stage, args=(write_q, report), name="ingest-write", daemon=True
        )
        parser.start()
        writer.start()
        try:
            self._embed_stage(parsed_q, write_q, report, cancel)
        finally:
            write_q.put(_DONE)
            writer.join()
            cancel.set()
            while parser.is_alive():  # unblock a parser waiting on a full queue
                drain(parsed_q)
                parser.join(0.05)
        progress.seconds = time.perf_counter() - started
        progress.cancelled = cancel.is_set() and progress.files_done < progress.files_total
        return IngestReport.from_progress(progress)

    def _parse_stage(self, items, parse, out: queue.Queue, report, cancel) -> None:
        try:
            for item in items:
                if cancel.is_set():
                    break
                try:
                    parsed = parse(item)
                except LocalChatError as exc:
                    report(FileOutcome.failed(_item_path(item), exc))
                    continue
                except Exception as exc:  # a loader bug must not sink the batch
                    report(FileOutcome.failed(_item_path(item), exc))
                    continue
                if isinstance(parsed, FileOutcome):
                    report(parsed)
                else:
                    out.put(parsed)
        finally:
            out.put(_DONE)

    def _embed_stage(self, inbox: queue.Queue, out: queue.Queue, report, cancel) -> None:
        for batch in document_batches(inbox, EMBED_BATCH, _DONE):
            if cancel.is_set():
                break
            try:
                self._embed(batch)
            except Exception as exc:
                for parsed in batch:
                    report(FileOutcome.failed(parsed.doc.path, exc))
                continue
            for parsed in batch:
                out.put(parsed)

    def _embed(self, batch: list[Parsed]) -> None:
        known = embed_missing(self.store, self.embedder, (c for p in batch for c in p.chunks))
        for parsed in batch:
            parsed.vectors = {c.content_hash: known[c.content_hash] for c in parsed.chunks}

    def _write_stage(self, inbox: queue.Queue, report) -> None:
        while (parsed := inbox.get()) is not _DONE:
            try:
                report(self._write(parsed))
            except Exception as exc:
                report(FileOutcome.failed(parsed.doc.path, exc))

    def _write(self, parsed: Parsed) -> FileOutcome:
        layout = layout_id(self.params.chunk_size, self.params.chunk_overlap)
        result = self.write(
            parsed.doc,
            parsed.chunks,
            parsed.vectors,
            model=self.embedder.model_id,
            layout=layout,
            collection=self.collection,
        )
        return FileOutcome(
            path=parsed.doc.path,
            status="replaced" if result.replaced else "added",
            document_id=result.document_id,
            chunks=len(parsed.chunks),
            tokens=sum(c.token_count for c in parsed.chunks),
            warnings=list(parsed.doc.warnings),
        )

    # -- parsing ---------------------------------------------------------------------------

    def _unchanged(self, path: str, sha256: str) -> FileOutcome | None:
        """Same bytes, same model, same chunk layout: nothing to do."""
        existing = self.store.document_by_path(path)
        layout = layout_id(self.params.chunk_size, self.params.chunk_overlap)
        if (
            existing
            and existing.sha256 == sha256
            and existing.embed_model == self.embedder.model_id
            and existing.layout == layout
        ):
            self.join([existing.id], self.collection)
            return FileOutcome(
                path=path,
                status="unchanged",
                document_id=existing.id,
                chunks=existing.chunk_count,
            )
        return None

    def _parse_file(self, path: Path) -> Parsed | FileOutcome:
        stat = path.stat()
        check_file_size(path, stat.st_size, self.max_file_bytes)
        sha = file_sha256(path)
        if (same := self._unchanged(str(path), sha)) is not None:
            return same
        loaded = self.load(path)
        doc = NewDocument(
            path=str(path),
            filename=path.name,
            title=loaded.title or path.stem,
            media_type=loaded.media_type,
            sha256=sha,
            size=stat.st_size,
            mtime=stat.st_mtime,
            pages=len(loaded.pages),
            warnings=list(loaded.warnings),
        )
        return self._chunk(doc, loaded)

    def _parse_loaded(self, item: tuple[NewDocument, LoadedDocument]) -> Parsed | FileOutcome:
        doc, loaded = item
        if (same := self._unchanged(doc.path, doc.sha256)) is not None:
            return same
        return self._chunk(doc, loaded)

    def _chunk(self, doc: NewDocument, loaded: LoadedDocument) -> Parsed:
        spans = chunk_pages(loaded.pages, self.params.chunk_size, self.params.chunk_overlap)
        return Parsed(doc, chunks_from_spans(spans, self.embedder.count_tokens))


def _item_path(item) -> str:
    return str(item[0].path) if isinstance(item, tuple) else str(item)
