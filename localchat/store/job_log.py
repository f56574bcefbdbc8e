"""Jobs as SQLite rows, so a restart neither forgets finished jobs nor hides interrupted ones.

Each row holds the job's JSON. A job written as queued or running that is read back by a new
process was cut off by a restart: it is reported as `interrupted`.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec

from localchat.store.store import Store

INTERRUPTED = "the server stopped before this job finished; submit it again to complete it"


class JobLog:
    """Saves job snapshots and loads the most recent ones."""

    def __init__(self, store: Store, job_type: type) -> None:
        self._store = store
        self._type = job_type

    def save(self, job: Any) -> None:
        with self._store.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO jobs(id, kind, status, created_at, body) "
                "VALUES (?, ?, ?, ?, ?)",
                (job.id, job.kind, job.status, job.created_at, msgspec.json.encode(job)),
            )

    def prune(self, keep: int) -> None:
        with self._store.transaction() as conn:
            conn.execute(
                "DELETE FROM jobs WHERE id NOT IN "
                "(SELECT id FROM jobs ORDER BY created_at DESC LIMIT ?)",
                (keep,),
            )

    def recent(self, keep: int) -> list[Any]:
        """The last `keep` jobs, oldest first; unfinished ones marked interrupted (and saved)."""
        rows = self._store.read("SELECT body FROM jobs ORDER BY created_at DESC LIMIT ?", (keep,))
        jobs = [msgspec.json.decode(body, type=self._type) for (body,) in reversed(rows)]
        for job in jobs:
            if job.status in ("queued", "running"):
                job.status, job.message, job.finished_at = "interrupted", INTERRUPTED, time.time()
                self.save(job)
        return jobs
