"""The job card lists skipped files with their reason (never silently), and counts them."""

from __future__ import annotations

from localchat.client import Job, JobError
from tui.widgets.job_card import MAX_SKIPPED_LINES, JobCard


def skipped(n: int) -> list[JobError]:
    return [
        JobError(f"/docs/licenses/L{i}.LICENSE", "unsupported_file", "skipped: unsupported type")
        for i in range(n)
    ]


def test_skipped_files_are_listed_with_their_reason_and_counted():
    job = Job(id="j", status="done", files_total=1, files_done=1, added=1, skipped=skipped(2))
    lines = [str(line) for line in JobCard.skipped_lines(job)]
    assert lines == [
        "– L0.LICENSE: skipped: unsupported type",
        "– L1.LICENSE: skipped: unsupported type",
    ]
    assert "2 skipped" in JobCard.detail(job)


def test_many_skipped_files_are_summarised():
    job = Job(id="j", status="done", skipped=skipped(MAX_SKIPPED_LINES + 3))
    lines = [str(line) for line in JobCard.skipped_lines(job)]
    assert len(lines) == MAX_SKIPPED_LINES + 1 and lines[-1] == "– 3 more skipped"


def test_an_interrupted_job_is_finished():
    assert Job(id="j", status="interrupted").finished
