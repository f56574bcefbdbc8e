"""Background jobs: ingestion, re-chunking and re-embedding run one at a time on a worker thread
(the Job record itself is localchat/job.py; what each kind of job does is runs.py).

One worker keeps writers from racing: an ingest and a re-chunk of the same document never
interleave, and each job's progress can be polled (GET /api/jobs/{id}) while it runs. Jobs are
saved in SQLite when queued and when finished, so after a restart the finished ones are still
listed and the cut-off ones say `interrupted`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from localchat.errors import JobNotFoundError
from localchat.ingest.progress import FileOutcome
from localchat.job import Job, JobKind, JobStatus, job_error
from localchat.jobs.runs import JobRuns
from localchat.store.collections import DEFAULT, collection_name
from localchat.store.job_log import JobLog
from localchat.store.records import layout_id

log = logging.getLogger("localchat.jobs")
SYNC_S = 1.0  # how often an idle worker checks SQLite for another process's writes


class JobManager(JobRuns):
    """Owns one worker thread; `close()` cancels the running job and stops the worker. Every
    write a job makes goes through `resources.library`."""

    def __init__(self, resources, *, keep: int = 200) -> None:
        self._resources = resources
        self._library = resources.library
        self._keep = keep
        self._log = JobLog(resources.store, Job)
        self._jobs: OrderedDict[str, Job] = OrderedDict(
            (job.id, job) for job in self._log.recent(keep)
        )
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[Job, Callable[[Job], None]] | None] = queue.Queue()
        self._cancel = threading.Event()
        self._closed = False
        self._worker = threading.Thread(target=self._loop, name="localchat-jobs", daemon=True)
        self._worker.start()

    # -- submitting ----------------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[str],
        failures: Iterable[FileOutcome] = (),
        *,
        replaces: Mapping[str, Sequence[int]] | None = None,
        collection: str = DEFAULT,
    ) -> Job:
        """Queue ingestion of paths into `collection` (created when missing); `failures` are
        files already refused (shown in the job).

        `replaces` maps a path to documents it supersedes: they are deleted (uploads with
        their copies) once that path is ingested, never before, so a failure loses nothing."""
        outcomes = list(failures)
        refused = [o for o in outcomes if o.status != "skipped"]
        superseded = {str(Path(p).resolve()): list(ids) for p, ids in (replaces or {}).items()}
        collection = collection_name(collection, allow_all=False)  # a bad name fails now
        job = self._new("ingest")
        job.collection = collection
        job.files_total = len(paths) + len(refused)
        job.skipped = [job_error(o) for o in outcomes if o.status == "skipped"]
        for outcome in refused:
            job.errors.append(job_error(outcome))
            job.failed += 1
            job.files_done += 1
        return self._submit(
            job,
            lambda j: self._run_ingest(j, list(paths), len(refused), superseded, collection),
        )

    def rechunk(self) -> Job:
        """Queue a re-chunk to the active chunk layout (a queued one is reused)."""
        with self._lock:
            for job in self._jobs.values():
                if job.kind == "rechunk" and job.status == "queued":
                    return job.snapshot()
        return self._submit(self._new("rechunk"), self._run_rechunk)

    def reembed(self, embedder=None, name: str = "") -> Job:
        """Queue giving every chunk a vector from `embedder` (default: the serving one, to
        finish an interrupted run); a new embedder is swapped in once its vectors are complete.
        """
        run = lambda job: self._run_reembed(job, embedder, name)  # noqa: E731
        return self._submit(self._new("reembed"), run)

    def needs_reembed(self) -> bool:
        """Some chunk has no vector from the serving embedding model."""
        from localchat.ingest.reembed import missing_texts

        return bool(missing_texts(self._resources.store, self._resources.embedder.model_id))

    def needs_rechunk(self) -> bool:
        """A document not in the active layout: a re-chunk was interrupted or never ran."""
        params = self._resources.params()
        layout = layout_id(params.chunk_size, params.chunk_overlap)
        return any(
            doc_layout != layout for doc_layout in self._resources.store.active_layouts().values()
        )

    # -- reading -------------------------------------------------------------------------------

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise JobNotFoundError(
                    f"no job with id {job_id!r}",
                    hint="job ids come from POST /api/documents; old finished jobs are forgotten",
                    param="job_id",
                )
            return job.snapshot()

    def list(self) -> list[Job]:
        with self._lock:
            return [job.snapshot() for job in reversed(self._jobs.values())]

    def active(self, kind: JobKind) -> Job | None:
        with self._lock:
            for job in self._jobs.values():
                if job.kind == kind and job.status in ("queued", "running"):
                    return job.snapshot()
        return None

    def wait(self, job_id: str, timeout: float = 60.0) -> Job:
        """Poll until the job has finished (for the CLI and tests)."""
        deadline = time.monotonic() + timeout
        while (job := self.get(job_id)).finished_at is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job.status} after {timeout}s")
            time.sleep(0.02)
        return job

    def close(self, timeout: float = 30.0) -> None:
        with self._lock:
            self._closed = True
            cancelled = [job for job in self._jobs.values() if job.status == "queued"]
            for job in cancelled:
                self._finish(job, "cancelled", "the server shut down before the job ran")
            snapshots = [job.snapshot() for job in cancelled]
        for snapshot in snapshots:
            self._log.save(snapshot)
        self._cancel.set()
        self._queue.put(None)
        self._worker.join(timeout)

    # -- running -------------------------------------------------------------------------------

    def _new(self, kind: JobKind) -> Job:
        return Job(id=f"job_{uuid.uuid4().hex[:16]}", kind=kind, created_at=time.time())

    def _submit(self, job: Job, run: Callable[[Job], None]) -> Job:
        with self._lock:
            if self._closed:
                raise RuntimeError("the job manager is closed")
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                oldest = next(iter(self._jobs.values()))
                if oldest.finished_at is None:
                    break
                self._jobs.popitem(last=False)
            snapshot = job.snapshot()
        self._log.save(snapshot)
        self._log.prune(self._keep)
        self._queue.put((job, run))
        return snapshot

    def _next(self) -> tuple[Job, Callable[[Job], None]] | None:
        """The next job; while none is queued, keep the vector index in step with SQLite (an
        ingest by another process, e.g. `localchat ingest` beside the server)."""
        while True:
            try:
                item = self._queue.get(timeout=SYNC_S)
            except queue.Empty:
                self._sync_index()
                continue
            if item is not None:
                self._sync_index()  # before writing, so the index file is never clobbered
            return item

    def _sync_index(self) -> None:
        try:
            added, removed = self._library.sync_index()
        except Exception:  # a failed catch-up must not stop the worker; the next one retries
            log.exception("could not catch the vector index up with SQLite")
            return
        if added or removed:
            log.info("vector index caught up with SQLite: %d added, %d removed", added, removed)

    def _loop(self) -> None:
        while (item := self._next()) is not None:
            job, run = item
            with self._lock:
                if job.status != "queued" or self._closed:
                    continue
                job.status, job.started_at = "running", time.time()
            self._cancel.clear()
            try:
                run(job)
            except Exception as exc:  # a job failing must never kill the worker
                with self._lock:
                    self._finish(job, "failed", f"{type(exc).__name__}: {exc}")
            with self._lock:
                snapshot = job.snapshot()
            try:
                self._log.save(snapshot)
            except Exception:  # an unwritable store must not stop the worker either
                log.exception("could not save job %s", job.id)

    def _finish(self, job: Job, status: JobStatus, message: str = "") -> None:
        job.status, job.message, job.finished_at = status, message, time.time()
        if status == "done":
            job.progress = 1.0
