"""`Library`: every write to the corpus goes through here, so SQLite, the vector index, the
answer cache and the document/chunk gauges never disagree.

Writers: ingestion's write stage (`add`), deletion (`delete`, with the upload copy), re-chunking
(`add_layout`, `swap_layout`) and catching up with another process's writes (`sync_index`).
Each keeps the order SQLite first (the source of truth), then the index, then the cache; the
gauges are published once at the end of each public operation, from `publish_counts` only.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from localchat.config import RagParams
from localchat.errors import StoreError
from localchat.ingest.pipeline import Ingestor
from localchat.ingest.progress import IngestProgress, IngestReport
from localchat.ingest.rechunk import RechunkProgress, RechunkReport, rechunk
from localchat.library.upload_copies import is_upload, remove_upload
from localchat.store.records import NewChunk, NewDocument, WriteResult

DEFAULT_COLLECTION = "default"


class Library:
    """One per opened Resources (`resources.library`).

    `resources` supplies store, index, embedder, cache, telemetry, settings and the file
    loader; index and embedder are looked up at each call because a re-embed swaps them."""

    def __init__(self, resources) -> None:
        self._resources = resources
        # One ingest or re-chunk at a time: two runs of the same path would add it twice.
        self._runs = threading.Lock()
        # Each single write keeps SQLite and the index in step (the HTTP delete runs beside
        # the job worker); held only for one document's write, never a whole run.
        self._write = threading.RLock()

    @property
    def store(self):
        return self._resources.store

    @property
    def embedder(self):
        return self._resources.embedder

    # -- whole operations ------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str | Path],
        params: RagParams | None = None,
        *,
        on_progress: Callable[[IngestProgress], None] | None = None,
        cancel: threading.Event | None = None,
        collection: str = DEFAULT_COLLECTION,
    ) -> IngestReport:
        """Ingest files and folders into `collection` (created when missing): unchanged files
        are not read again but join it, changed ones are replaced and keep their others."""
        return self._ingest(
            lambda ingestor: ingestor.ingest_paths(paths, on_progress, cancel), params, collection
        )

    def ingest_documents(
        self,
        items: Iterable[tuple[NewDocument, object]],
        total: int,
        params: RagParams | None = None,
        *,
        on_progress: Callable[[IngestProgress], None] | None = None,
        cancel: threading.Event | None = None,
        collection: str = DEFAULT_COLLECTION,
    ) -> IngestReport:
        """Ingest already-loaded documents (evaluation corpora) into `collection`."""
        return self._ingest(
            lambda ingestor: ingestor.ingest_documents(items, total, on_progress, cancel),
            params,
            collection,
        )

    def _ingest(
        self, run: Callable[[Ingestor], IngestReport], params, collection: str
    ) -> IngestReport:
        resources = self._resources
        settings = resources.settings
        ingestor = Ingestor(
            self.store,
            self.embedder,
            params or resources.params(),
            write=self.add,
            load=resources.load,
            max_file_bytes=settings.ingest.max_file_bytes,
            follow_symlinks=settings.ingest.follow_symlinks,
            collection=collection,
            join=self.join_collection,
        )
        with self._runs:
            try:
                report = run(ingestor)
            finally:
                self.save_index()
            self.sync_index(publish=False)  # also takes in another process's writes
        resources.telemetry.ingested(
            report.added + report.replaced, report.chunks, report.tokens, report.seconds
        )
        self.publish_counts()
        return report

    def rechunk(
        self,
        params: RagParams | None = None,
        on_progress: Callable[[RechunkProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> RechunkReport:
        """Re-chunk every document into params' layout (default: the active one), then swap."""
        with self._runs:
            report = rechunk(self, params or self._resources.params(), on_progress, cancel)
        self.publish_counts()
        return report

    # -- single writes -----------------------------------------------------------------------

    def add(
        self,
        doc: NewDocument,
        chunks: list[NewChunk],
        vectors: dict[str, np.ndarray],
        *,
        model: str,
        layout: str,
        collection: str = DEFAULT_COLLECTION,
    ) -> WriteResult:
        """Add a document, or replace the earlier version at its path (it keeps its id and its
        collections); either way it joins `collection`."""
        with self._write:
            try:
                result = self.store.write_document(
                    doc, chunks, vectors, model=model, layout=layout, collection=collection
                )
            except Exception as exc:
                raise StoreError(
                    f"could not save {doc.filename}: {exc}",
                    hint="check that the data dir is writable and has free space; nothing of "
                    "this file was saved and any earlier version is unchanged",
                ) from exc
            self._index_written(result, chunks, vectors)
            self._resources.cache.invalidate()
        return result

    def delete(self, document_id: int) -> list[int]:
        """Delete a document: its chunks, FTS rows, vectors no other chunk shares, its index
        entries and, for an upload, the server's copy of the file. Returns the chunk ids."""
        data_path = self._resources.settings.data_path
        with self._write:
            path = self.store.get_document(document_id).path  # DocumentNotFoundError if gone
            removed = self.store.delete_document(document_id)
            self._resources.index.remove(removed)
            self.save_index()
            self._resources.cache.invalidate()
        if is_upload(path, data_path):  # our own copy goes with its document
            remove_upload(path, data_path)
        self.publish_counts()
        return removed

    def join_collection(self, document_ids: list[int], collection: str) -> int:
        """Put documents into a collection (created when missing); how many joined. Searches
        and cached answers see it at once: the corpus version changes."""
        with self._write:
            return self.store.add_to_collection(document_ids, collection)

    def delete_collection(self, name: str) -> tuple[list[int], list[int]]:
        """Delete a collection and its documents of no other collection (their chunks leave
        SQLite and the index; upload copies go too): (document ids, chunk ids) removed."""
        data_path = self._resources.settings.data_path
        with self._write:
            paths = {d.id: d.path for d in self.store.list_documents(name)}
            documents, chunks = self.store.delete_collection(name)
            self._resources.index.remove(chunks)
            self.save_index()
            self._resources.cache.invalidate()
        for document_id in documents:
            if is_upload(paths[document_id], data_path):
                remove_upload(paths[document_id], data_path)
        self.publish_counts()
        return documents, chunks

    def rename(self, document_id: int, path: str, *, size: int, mtime: float) -> None:
        """The document's file moved to `path` with the same bytes (a watched folder saw the
        rename): path, filename and stat change; chunks, vectors and index entries stay, so
        nothing is parsed or embedded again. A title taken from the old file name follows."""
        with self._write:
            self.store.rename_document(document_id, path, size=size, mtime=mtime)
            self._resources.cache.invalidate()  # filenames are in cached answers' citations

    def add_layout(
        self,
        document_id: int,
        chunks: list[NewChunk],
        vectors: dict[str, np.ndarray],
        *,
        layout: str,
    ) -> list[int]:
        """Write a document's chunks in `layout` beside its serving ones (not served yet)."""
        model = self.embedder.model_id
        with self._write:
            written = self.store.add_layout_chunks(
                document_id, chunks, vectors, model=model, layout=layout
            )
            # Chunks an interrupted run left in this layout leave the index too, or it would
            # disagree with SQLite at the next start.
            self._index_written(written, chunks, vectors)
        return written.added_chunk_ids

    def _index_written(
        self, written: WriteResult, chunks: list[NewChunk], vectors: dict[str, np.ndarray]
    ) -> None:
        """The vector index follows a SQLite write: the chunk ids it removed leave, the ones
        it added (in `chunks` order) enter with their vectors."""
        index = self._resources.index
        index.remove(written.removed_chunk_ids)
        if written.added_chunk_ids:
            keys = np.asarray(written.added_chunk_ids, dtype=np.uint64)
            index.add(keys, np.vstack([vectors[c.content_hash] for c in chunks]))

    def swap_layout(self, layout: str) -> list[int]:
        """Serve `layout` everywhere; the old chunks leave SQLite and the index."""
        with self._write:
            removed = self.store.swap_layout(layout)
            self._resources.index.remove(removed)
            self.save_index()
            self._resources.cache.invalidate()
        return removed

    def embedded_with(self, model: str) -> None:
        """Every document's vectors are now `model`'s (a re-embed swapped it in)."""
        with self._write:
            with self.store.transaction() as conn:
                conn.execute("UPDATE documents SET embed_model = ?", (model,))
            self._resources.cache.invalidate()

    # -- keeping in step -------------------------------------------------------------------

    def save_index(self) -> None:
        with self._write:
            self._resources.index.save(self._resources.index_file)

    def sync_index(self, *, publish: bool = True) -> tuple[int, int]:
        """Catch the vector index up when another process changed the corpus in SQLite (a CLI
        ingest beside the server): (vectors added, removed)."""
        from localchat.index.catch_up import catch_up

        resources = self._resources
        with self._write:
            version = self.store.corpus_version()
            if version == resources.seen_version:
                return 0, 0
            added, removed = catch_up(resources.index, self.store, self.embedder.model_id)
            resources.seen_version = version
            if added or removed:
                resources.cache.invalidate()
                with contextlib.suppress(StoreError):  # the file is a cache; memory is current
                    self.save_index()
        if publish and (added or removed):
            self.publish_counts()
        return added, removed

    def publish_counts(self) -> None:
        """Set the document and chunk gauges from SQLite: the one place that does."""
        self._resources.telemetry.stored(*self.store.counts())
