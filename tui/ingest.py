"""Send files or folders to the server for ingestion and follow the jobs until they end."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import tui
from localchat.client import FileError, Job, LocalChatClient
from localchat.errors import InvalidRequestError, PermissionDeniedError
from tui.widgets.job_card import JobCard

POLL_S = 0.4
BATCH_BYTES = 32 * 1024 * 1024  # per upload request: well under the server's body limit
BATCH_FILES = 100
COUNTS = ("files_total", "files_done", "added", "replaced", "unchanged", "failed", "chunks")


def sample_docs_dir() -> Path | None:
    """LocalChat's own docs/ folder (present in a source checkout or an editable install)."""
    folder = Path(tui.__file__).resolve().parents[1] / "docs"
    return folder if folder.is_dir() and any(folder.glob("*.md")) else None


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


async def submit(
    api: LocalChatClient, paths: Sequence[str], origins: dict[str, str] | None = None
) -> tuple[list[Job], list[FileError]]:
    """Jobs ingesting `paths`, and the files refused before any upload.

    Paths go to the server as paths when it allows them (its `server.allowed_roots`);
    otherwise the files are uploaded, which works with every server. `origins` learns where
    each uploaded file came from, so it can be read again later.
    """
    absolute = check_paths(paths)
    try:
        return [await api.ingest_paths(absolute)], []
    except PermissionDeniedError:
        pass
    from localchat.ingest.files import walk_paths  # lazy: it imports the PDF parser

    files, refused = walk_paths(absolute)
    local = [FileError(o.path, o.error_code, o.message) for o in refused]
    if not files:
        if local:
            return [], local
        raise InvalidRequestError(
            "no supported documents there",
            hint="LocalChat reads PDF, Markdown, HTML and text files",
        )
    if origins is not None:
        origins.update({file.name: str(file) for file in files})
    return [await api.upload(group) for group in batches(files)], local


def combine(jobs: Sequence[Job], local: Sequence[FileError]) -> Job:
    """One view of several jobs (an upload in batches) plus files refused locally."""
    total = Job(id="+".join(j.id for j in jobs) or "local", status="done")
    for job in jobs:
        for name in COUNTS:
            setattr(total, name, getattr(total, name) + getattr(job, name))
        total.errors = [*total.errors, *job.errors]
        total.current = job.current or total.current
    statuses = {job.status for job in jobs}
    for status in ("running", "queued", "failed", "cancelled"):
        if status in statuses:
            total.status = status
            break
    if len(jobs) == 1:
        total.message, total.kind = jobs[0].message, jobs[0].kind
    total.files_total += len(local)
    total.files_done += len(local)
    total.failed += len(local)
    total.errors = [*local, *total.errors]
    return total


async def follow(
    api: LocalChatClient, jobs: Sequence[Job], card: JobCard | None = None, local=()
) -> Job:
    """Poll the jobs until all end, showing their combined state on `card`."""
    jobs = list(jobs)
    while True:
        state = combine(jobs, local)
        if card is not None and card.is_attached:
            card.update_job(state)
        if state.finished:
            return state
        await asyncio.sleep(POLL_S)
        jobs = [job if job.finished else await api.job(job.id) for job in jobs]


async def ingest(
    api: LocalChatClient,
    paths: Sequence[str],
    card: JobCard | None = None,
    origins: dict[str, str] | None = None,
) -> Job:
    jobs, local = await submit(api, paths, origins)
    return await follow(api, jobs, card, local)
