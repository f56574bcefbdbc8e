"""A background job as GET /api/jobs/{id} reports it, and how ingest progress fills it in."""

from __future__ import annotations

from typing import Literal

import msgspec

from localchat.ingest.progress import FileOutcome, IngestProgress

JobKind = Literal["ingest", "rechunk", "reembed"]
JobStatus = Literal["queued", "running", "done", "failed", "cancelled", "interrupted"]


class JobError(msgspec.Struct):
    path: str
    code: str
    message: str


class Job(msgspec.Struct):
    """A job as GET /api/jobs/{id} reports it. `files_*` count documents for a re-chunk."""

    id: str
    kind: JobKind
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

    def snapshot(self) -> Job:
        return msgspec.structs.replace(
            self,
            errors=list(self.errors),
            skipped=list(self.skipped),
            document_ids=list(self.document_ids),
        )


def job_error(outcome: FileOutcome) -> JobError:
    return JobError(outcome.path, outcome.error_code or "ingest_failed", outcome.message)


def apply_ingest(job: Job, p: IngestProgress, refused: int) -> None:
    job.files_total = p.files_total + refused
    job.files_done = p.files_done + refused
    job.added, job.replaced, job.unchanged = p.added, p.replaced, p.unchanged
    job.failed = p.failed + refused
    job.chunks, job.tokens, job.current = p.chunks, p.tokens, p.current
    job.progress = job.files_done / job.files_total if job.files_total else 1.0
    job.document_ids = [
        o.document_id for o in p.outcomes if o.document_id is not None and o.status != "failed"
    ]
    job.errors = job.errors[:refused] + [job_error(o) for o in p.outcomes if o.status == "failed"]


def summary(job: Job) -> str:
    return (
        f"{job.added} added, {job.replaced} replaced, {job.unchanged} unchanged, "
        f"{job.failed} failed; {job.chunks} chunks"
    )
