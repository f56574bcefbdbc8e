"""What each kind of background job does on the JobManager's worker: ingest (with the uploads
it supersedes), re-chunk and re-embed, each turning its run's progress and report into the Job.

Mixed into `JobManager` (manager.py), which provides the lock, the cancel event and `_finish`."""

from __future__ import annotations

from collections.abc import Sequence

from localchat.ingest.progress import FileOutcome, IngestProgress
from localchat.ingest.rechunk import RechunkProgress
from localchat.job import Job, JobStatus, apply_ingest, job_error, summary
from localchat.store.collections import DEFAULT


class JobRuns:
    """Mixed into JobManager: one `_run_<kind>` per kind of job, called on its worker."""

    # Provided by JobManager: _resources, _library, _lock, _cancel, _finish(job, status, message).

    def _run_ingest(
        self,
        job: Job,
        paths: list[str],
        refused: int,
        superseded: dict[str, list[int]],
        collection: str = DEFAULT,
    ) -> None:
        def update(p: IngestProgress) -> None:
            with self._lock:
                apply_ingest(job, p, refused)

        report = self._library.ingest(
            paths, on_progress=update, cancel=self._cancel, collection=collection
        )
        replaced = self._supersede(report.outcomes, superseded)
        with self._lock:
            job.files_total = report.files + refused
            job.errors = job.errors[:refused] + [job_error(o) for o in report.errors]
            job.skipped += [job_error(o) for o in report.skipped]
            job.failed = refused + report.failed
            job.added, job.replaced = job.added - replaced, job.replaced + replaced
            status: JobStatus = "cancelled" if report.cancelled else "done"
            self._finish(job, status, summary(job))

    def _supersede(self, outcomes: Sequence[FileOutcome], superseded: dict[str, list[int]]) -> int:
        """Delete the documents each newly ingested path replaces; how many paths did."""
        count = 0
        for outcome in outcomes:
            old = superseded.get(outcome.path, [])
            if outcome.status == "failed" or not old:
                continue
            for document_id in old:
                self._library.delete(document_id)
            count += outcome.status == "added"
        return count

    def _run_rechunk(self, job: Job) -> None:
        def update(p: RechunkProgress) -> None:
            with self._lock:
                job.files_total, job.files_done = p.documents_total, p.documents_done
                job.chunks, job.tokens, job.current = p.chunks, p.tokens, p.current
                job.progress = p.documents_done / p.documents_total if p.documents_total else 1.0

        report = self._library.rechunk(self._resources.params(), update, self._cancel)
        with self._lock:
            job.errors = [job_error(o) for o in report.errors]
            job.failed = len(report.errors)
            if report.cancelled:
                self._finish(job, "cancelled", "stopped; the previous chunks keep serving")
            elif not report.swapped:
                self._finish(
                    job,
                    "failed",
                    "some documents could not be re-chunked; the "
                    "previous chunks keep serving (see errors, then retry)",
                )
            else:
                self._finish(
                    job,
                    "done",
                    f"layout {report.layout}: {report.documents} documents, {report.chunks} chunks",
                )

    def _run_reembed(self, job: Job, embedder, name: str) -> None:
        from localchat.ingest.reembed import ReembedProgress, switch_embedder

        def update(p: ReembedProgress) -> None:
            with self._lock:
                job.chunks, job.tokens = p.texts_done, p.tokens
                job.progress = p.texts_done / p.texts_total if p.texts_total else 1.0

        report = switch_embedder(self._resources, embedder, name, update, self._cancel)
        with self._lock:
            if not report.complete:
                self._finish(job, "cancelled", "stopped; the previous vectors keep serving")
            else:
                self._finish(job, "done", f"{report.texts} texts embedded with {report.model}")
