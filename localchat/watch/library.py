"""The watcher's one door to the library: reads of the documents in a folder, and the writes
(rename, delete through `Library`, ingest as a JobManager job so it shows in /api/jobs); a
folder's files go into its collection (created when missing)."""

from __future__ import annotations

import contextlib

from localchat.errors import ConfigError, DocumentNotFoundError, InvalidRequestError
from localchat.job import Job
from localchat.store.collections import collection_name
from localchat.watch.scan import Known, Look, Rename

_FIELDS = "id, path, sha256, size, mtime"


def check_collection(name: str) -> str:
    """The canonical name of the collection a watched folder feeds (made at its first file);
    a malformed name, or "all", stops the watcher before it starts."""
    try:
        return collection_name(name, allow_all=False)
    except InvalidRequestError as exc:
        raise ConfigError(
            exc.message,
            hint=f"{exc.hint}; set it with --collection (or the folder's `collection` in "
            "ingest.watch)",
            param="collection",
        ) from None


class WatchLibrary:
    """Adapter over opened Resources (their Library) and the JobManager that runs ingests."""

    def __init__(self, resources, jobs) -> None:
        self.resources = resources
        self.library = resources.library
        self.jobs = jobs

    @property
    def store(self):
        return self.resources.store

    # -- reads ---------------------------------------------------------------------------------

    def documents_in(self, look: Look) -> dict[str, Known]:
        """Documents whose file is one of look's paths or lies below one of its folders."""
        found: dict[str, Known] = {}
        for path in look.files:
            rows = self.store.read(f"SELECT {_FIELDS} FROM documents WHERE path = ?", (path,))
            found.update((row[1], Known(*row)) for row in rows)
        for folder in look.folders:
            prefix = folder.rstrip("/") + "/"
            # '0' sorts right after '/': the range is exactly the paths below the folder.
            rows = self.store.read(
                f"SELECT {_FIELDS} FROM documents WHERE path >= ? AND path < ?",
                (prefix, prefix[:-1] + "0"),
            )
            found.update((row[1], Known(*row)) for row in rows)
        return found

    # -- writes --------------------------------------------------------------------------------

    def rename(self, rename: Rename) -> None:
        """Give a document its new path: no parse, no embedding (its chunks are unchanged)."""
        self.library.rename(
            rename.document_id, rename.new_path, size=rename.size, mtime=rename.mtime
        )

    def delete(self, document: Known) -> None:
        with contextlib.suppress(DocumentNotFoundError):  # deleted meanwhile (API, a watcher)
            self.library.delete(document.id)

    def ingest(self, paths: list[str], collection: str) -> Job:
        """Queue an ingest job (it shows in /api/jobs and the TUI's job cards)."""
        return self.jobs.ingest(paths, collection=check_collection(collection))

    def job(self, job_id: str) -> Job:
        return self.jobs.get(job_id)
