"""The one client-side ingest: send files or folders to a running server and follow the jobs.

Used by the TUI and by `localchat ingest` whenever a server answers, so the server that owns
the library (its SQLite writer and its vector index) does the work. Paths are sent as paths
when the server allows them (its `server.allowed_roots`); otherwise the files are uploaded,
which works with every server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from localchat.client.http import LocalChatClient
from localchat.client.types import Job, JobError
from localchat.errors import InvalidRequestError, PermissionDeniedError

POLL_S = 0.4
BATCH_BYTES = 32 * 1024 * 1024  # per upload request: well under the server's body limit
BATCH_FILES = 100
COUNTS = ("files_total", "files_done", "added", "replaced", "unchanged", "failed", "chunks")


class JobView(Protocol):
    """Where progress is shown (the TUI's JobCard; the CLI's progress bar)."""

    is_attached: bool

    def update_job(self, job: Job) -> None: ...


def check_paths(paths: Sequence[str]) -> list[str]:
    """Absolute paths, or InvalidRequestError naming the first one that does not exist."""
    resolved = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise InvalidRequestError(
                f"{raw} does not exist", hint="check the spelling; Tab completes file names"
            )
        resolved.append(str(path.resolve()))
    return resolved


def batches(files: Sequence[Path]) -> list[list[Path]]:
    """Files grouped so each upload stays under BATCH_BYTES and BATCH_FILES."""
    groups: list[list[Path]] = [[]]
    size = 0
    for file in files:
        try:
            length = file.stat().st_size
        except OSError:
            length = 0  # unreadable: the upload reports it with the reason
        if groups[-1] and (size + length > BATCH_BYTES or len(groups[-1]) >= BATCH_FILES):
            groups.append([])
            size = 0
        groups[-1].append(file)
        size += length
    return [group for group in groups if group]


class Submitted:
    """The jobs a submission started, and what was refused or skipped before any upload."""

    def __init__(self, jobs: list[Job], refused=(), skipped=()) -> None:
        self.jobs = jobs
        self.refused: list[JobError] = list(refused)
        self.skipped: list[JobError] = list(skipped)


async def submit(
    api: LocalChatClient,
    paths: Sequence[str],
    origins: dict[str, str] | None = None,
    *,
    follow_symlinks: bool = False,
    collection: str = "default",
) -> Submitted:
    """Start ingesting `paths` into `collection` on the server. `origins` learns where each
    uploaded file came from, so it can be read again later."""
    absolute = check_paths(paths)
    try:
        return Submitted([await api.ingest_paths(absolute, collection)])
    except PermissionDeniedError:
        pass
    from localchat.ingest.files import walk_paths  # lazy: it imports the PDF parser

    files, outcomes = walk_paths(absolute, follow_symlinks=follow_symlinks)
    found = [(o.status, JobError(o.path, o.error_code, o.message)) for o in outcomes]
    refused = [error for status, error in found if status != "skipped"]
    skipped = [error for status, error in found if status == "skipped"]
    if not files:
        if refused or skipped:
            return Submitted([], refused, skipped)
        raise InvalidRequestError(
            "no supported documents there",
            hint="LocalChat reads PDF, Markdown, HTML and text files",
        )
    if origins is not None:
        origins.update({file.name: str(file) for file in files})
    jobs = [await api.upload(group, collection) for group in batches(files)]
    return Submitted(jobs, refused, skipped)


def combine(jobs: Sequence[Job], local: Sequence[JobError], skipped=()) -> Job:
    """One view of several jobs (an upload in batches) plus files refused or skipped locally."""
    total = Job(id="+".join(j.id for j in jobs) or "local", status="done")
    for job in jobs:
        for name in COUNTS:
            setattr(total, name, getattr(total, name) + getattr(job, name))
        total.errors = [*total.errors, *job.errors]
        total.skipped = [*total.skipped, *job.skipped]
        total.current = job.current or total.current
    statuses = {job.status for job in jobs}
    for status in ("running", "queued", "failed", "interrupted", "cancelled"):
        if status in statuses:
            total.status = status
            break
    if len(jobs) == 1:
        total.message, total.kind = jobs[0].message, jobs[0].kind
    total.files_total += len(local)
    total.files_done += len(local)
    total.failed += len(local)
    total.errors = [*local, *total.errors]
    total.skipped = [*skipped, *total.skipped]
    return total


async def follow(
    api: LocalChatClient,
    jobs: Sequence[Job],
    card: JobView | None = None,
    local: Sequence[JobError] = (),
    skipped: Sequence[JobError] = (),
) -> Job:
    """Poll the jobs until all end, showing their combined state on `card`."""
    jobs = list(jobs)
    while True:
        state = combine(jobs, local, skipped)
        if card is not None and card.is_attached:
            card.update_job(state)
        if state.finished:
            return state
        await asyncio.sleep(POLL_S)
        jobs = [job if job.finished else await api.job(job.id) for job in jobs]


async def ingest(
    api: LocalChatClient,
    paths: Sequence[str],
    card: JobView | None = None,
    origins: dict[str, str] | None = None,
    *,
    follow_symlinks: bool = False,
    collection: str = "default",
) -> Job:
    """Ingest paths into `collection` on the server and wait for the result (every job
    combined)."""
    sent = await submit(api, paths, origins, follow_symlinks=follow_symlinks, collection=collection)
    return await follow(api, sent.jobs, card, sent.refused, sent.skipped)
