"""One ingestion (or re-index) job: a progress bar with files, chunks, per-file errors and the
files a folder walk skipped (each with its reason)."""

from __future__ import annotations

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import ProgressBar, Static

from localchat.client import Job
from tui.sanitize import one_line

STATUS_STYLE = {
    "queued": "$text-muted",
    "running": "$text-accent",
    "done": "$text-success",
    "failed": "$text-error",
    "cancelled": "$text-warning",
    "interrupted": "$text-warning",
}
MAX_SKIPPED_LINES = 5  # the rest is counted, not listed


class JobCard(Vertical):
    """Shows a job's latest state; `update_job` is called by the poller."""

    def __init__(self, title: str, job: Job | None = None) -> None:
        super().__init__(classes="job-card")
        self.title = title
        self.job = job

    def compose(self):
        yield Static("", classes="job-title")
        yield ProgressBar(total=None, show_eta=False, classes="job-bar")
        yield Static("", classes="job-detail")
        yield Static("", classes="job-errors")

    def on_mount(self) -> None:
        if self.job is not None:
            self.update_job(self.job)
        else:
            self.query_one(".job-title", Static).update(Content(f"{self.title} — starting…"))

    def update_job(self, job: Job) -> None:
        self.job = job
        style = STATUS_STYLE.get(job.status, "")
        self.query_one(".job-title", Static).update(
            Content.assemble(one_line(self.title, 48), " — ", (job.status, f"bold {style}"))
        )
        bar = self.query_one(ProgressBar)
        if job.status in ("queued", "running") and not job.files_done:
            bar.update(total=None)  # the first file is being read: a pulse, not a stuck 0%
        elif job.files_total:
            bar.update(total=job.files_total, progress=job.files_done)
        elif job.finished:
            bar.update(total=1, progress=1)
        self.query_one(".job-detail", Static).update(Content(self.detail(job)))
        errors = self.query_one(".job-errors", Static)
        failed = job.status in ("failed", "interrupted") and job.message
        errors.display = bool(job.errors or job.skipped or failed)
        lines = [
            Content.assemble(("✗ ", "$text-error"), one_line(e.path, 40), ": ", one_line(e.message))
            for e in job.errors
        ]
        if failed and not job.errors:
            lines.append(Content.assemble(("✗ ", "$text-error"), one_line(job.message)))
        lines += self.skipped_lines(job)
        errors.update(Content("\n").join(lines))
        self.set_class(job.finished, "-finished")
        self.set_class(bool(job.errors) or job.status == "failed", "-with-errors")

    @staticmethod
    def skipped_lines(job: Job) -> list[Content]:
        lines = [
            Content.assemble(
                ("– ", "$text-warning"),
                one_line(e.path.rsplit("/", 1)[-1], 40),
                ": ",
                one_line(e.message),
            )
            for e in job.skipped[:MAX_SKIPPED_LINES]
        ]
        if len(job.skipped) > MAX_SKIPPED_LINES:
            more = len(job.skipped) - MAX_SKIPPED_LINES
            lines.append(Content.assemble(("– ", "$text-warning"), f"{more} more skipped"))
        return lines

    @staticmethod
    def detail(job: Job) -> str:
        parts = [f"files {job.files_done}/{job.files_total or '?'}", f"chunks {job.chunks}"]
        if job.added or job.replaced:
            parts.append(f"{job.added} added, {job.replaced} replaced")
        if job.unchanged:
            parts.append(f"{job.unchanged} unchanged")
        if job.failed:
            parts.append(f"{job.failed} failed")
        if job.skipped:
            parts.append(f"{len(job.skipped)} skipped")
        if job.current and not job.finished:
            parts.append(one_line(job.current.rsplit("/", 1)[-1], 30))
        return " · ".join(parts)
