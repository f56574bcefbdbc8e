"""What survives a restart of a watcher: each folder's last full scan, and files that failed."""

from __future__ import annotations

import time

import msgspec

from localchat.store.store import Store


class ScanRecord(msgspec.Struct, frozen=True):
    root: str
    collection: str
    started_at: float
    finished_at: float | None  # None: the scan was cut off (a crash, Ctrl-C) and resumes

    @property
    def interrupted(self) -> bool:
        return self.finished_at is None


class FailedFile(msgspec.Struct, frozen=True):
    """A file of a watched folder that could not be ingested, as it was when it failed."""

    path: str
    root: str
    size: int
    mtime: float
    code: str
    message: str
    job_id: str = ""
    failed_at: float = 0.0


class WatchState:
    """Rows of watch_scans and watch_failures (schema migration 6)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- scans ---------------------------------------------------------------------------------

    def scan_started(self, root: str, collection: str) -> ScanRecord | None:
        """Record a full scan's start; returns the previous record (interrupted or not)."""
        previous = self.scan(root)
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO watch_scans (root, collection, started_at, finished_at) "
                "VALUES (?, ?, ?, NULL) ON CONFLICT(root) DO UPDATE SET "
                "collection = excluded.collection, started_at = excluded.started_at, "
                "finished_at = NULL",
                (root, collection, time.time()),
            )
        return previous

    def scan_finished(self, root: str) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE watch_scans SET finished_at = ? WHERE root = ?", (time.time(), root)
            )

    def scan(self, root: str) -> ScanRecord | None:
        rows = self.store.read(
            "SELECT root, collection, started_at, finished_at FROM watch_scans WHERE root = ?",
            (root,),
        )
        return ScanRecord(*rows[0]) if rows else None

    def scans(self) -> list[ScanRecord]:
        rows = self.store.read(
            "SELECT root, collection, started_at, finished_at FROM watch_scans ORDER BY root"
        )
        return [ScanRecord(*row) for row in rows]

    # -- failures ------------------------------------------------------------------------------

    def record_failures(self, failures: list[FailedFile]) -> None:
        if not failures:
            return
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO watch_failures "
                "(path, root, size, mtime, code, message, job_id, failed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (f.path, f.root, f.size, f.mtime, f.code, f.message, f.job_id, time.time())
                    for f in failures
                ],
            )

    def clear_failures(self, paths: list[str]) -> None:
        """Forget failures of files that were ingested since, or are gone."""
        if not paths:
            return
        with self.store.transaction() as conn:
            conn.executemany("DELETE FROM watch_failures WHERE path = ?", [(p,) for p in paths])

    def failures(self, root: str | None = None) -> dict[str, FailedFile]:
        columns = "path, root, size, mtime, code, message, job_id, failed_at"
        if root is None:
            rows = self.store.read(f"SELECT {columns} FROM watch_failures ORDER BY path")
        else:
            rows = self.store.read(
                f"SELECT {columns} FROM watch_failures WHERE root = ? ORDER BY path", (root,)
            )
        return {row[0]: FailedFile(*row) for row in rows}
