"""How ingest progress fills in a Job (the wire Struct of GET /api/jobs/{id}, wire/jobs.py)."""

from __future__ import annotations

from localchat.ingest.progress import FileOutcome, IngestProgress
from localchat.wire.jobs import Job, JobError, JobKind, JobStatus

__all__ = ["Job", "JobError", "JobKind", "JobStatus", "apply_ingest", "job_error", "summary"]


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
