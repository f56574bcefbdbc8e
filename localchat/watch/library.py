"""The watcher's one door to the library: reads of the documents in a folder, and the writes
(rename, delete, an ingest job). Today it calls Runtime and JobManager; when the `Library`
owner of corpus writes (and collections) land, only this file changes."""

from __future__ import annotations

import threading
from pathlib import Path

from localchat.errors import ConfigError, DocumentNotFoundError
from localchat.job import Job
from localchat.watch.scan import Known, Look, Rename

DEFAULT_COLLECTION = "default"
_FIELDS = "id, path, sha256, size, mtime"


def check_collection(name: str) -> str:
    """The collection a watched folder feeds; only "default" exists until collections land."""
    if name != DEFAULT_COLLECTION:
        raise ConfigError(
            f"collection {name!r} does not exist: this library has only the collection "
            f"{DEFAULT_COLLECTION!r}",
            hint="drop --collection (or the folder's `collection` in ingest.watch) to watch "
            "into the default collection",
            param="collection",
        )
    return name


class WatchLibrary:
    """Adapter over an open Runtime and the JobManager that runs its writes."""

    def __init__(self, runtime, jobs) -> None:
        self.runtime = runtime
        self.jobs = jobs
        self._lock = threading.Lock()  # renames and deletes of several watchers, one at a time

    @property
    def store(self):
        return self.runtime.store

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
        new = Path(rename.new_path)
        with self._lock, self.store.transaction() as conn:
            conn.execute(
                "UPDATE documents SET path = ?, filename = ?, size = ?, mtime = ?, "
                "title = CASE WHEN title = ? THEN ? ELSE title END WHERE id = ?",
                (
                    str(new),
                    new.name,
                    rename.size,
                    rename.mtime,
                    Path(rename.old_path).stem,
                    new.stem,
                    rename.document_id,
                ),
            )
            self.store._bump_version(conn)  # filenames are in cached answers' citations
        self.runtime.cache.invalidate()

    def delete(self, document: Known) -> None:
        with self._lock:
            try:
                self.runtime.delete_document(document.id)
            except DocumentNotFoundError:  # deleted meanwhile (the API, another watcher)
                return
        self.runtime.telemetry.stored(*self.store.counts())

    def ingest(self, paths: list[str], collection: str) -> Job:
        """Queue an ingest job (it shows in /api/jobs and the TUI's job cards)."""
        check_collection(collection)
        return self.jobs.ingest(paths)

    def job(self, job_id: str) -> Job:
        return self.jobs.get(job_id)
