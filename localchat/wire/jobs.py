"""A background job as GET /api/jobs/{id} reports it: the one declaration, served by the
server (localchat.jobs fills it in) and decoded by localchat.client."""

from __future__ import annotations

from typing import Literal

import msgspec

JobKind = Literal["ingest", "rechunk", "reembed"]
JobStatus = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]
FINISHED: frozenset[str] = frozenset({"done", "failed", "cancelled", "interrupted"})


class JobError(msgspec.Struct):
    """A file a job could not ingest (or a folder walk passed over), and why."""

    path: str
    code: str
    message: str


class Job(msgspec.Struct):
    """A job as GET /api/jobs/{id} reports it. `files_*` count documents for a re-chunk."""

    id: str
    kind: JobKind = "ingest"
    status: JobStatus = "queued"
    files_total: int = 0
    files_done: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    chunks: int = 0
    tokens: int = 0
    progress: float = 0.0  # 0..1
    current: str = ""
    errors: list[JobError] = []
    skipped: list[JobError] = []  # files a folder walk passed over, each with its reason
    document_ids: list[int] = []
    collection: str = ""  # an ingest's collection
    message: str = ""
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def snapshot(self) -> Job:
        return msgspec.structs.replace(
            self,
            errors=list(self.errors),
            skipped=list(self.skipped),
            document_ids=list(self.document_ids),
        )
