"""The job card mounted: title and status, progress bar, per-file errors, fed by the poller."""

from __future__ import annotations

import pytest
from textual.widgets import ProgressBar, Static

from localchat.client import Job
from localchat.client.ingest import follow
from tests.tui.fakes import FakeClient, WidgetHost, file_error
from tui.widgets.job_card import JobCard


def text(card: JobCard, part: str) -> str:
    return str(card.query_one(f".job-{part}", Static).render())


async def test_a_card_without_a_job_says_it_is_starting():
    card = JobCard("Adding 2 files")
    async with WidgetHost(card).run_test():
        assert text(card, "title") == "Adding 2 files — starting…"
        assert not card.has_class("-finished")


async def test_running_then_done_moves_the_bar_and_the_counts():
    card = JobCard("Adding docs", Job(id="j", status="running", files_total=4))
    async with WidgetHost(card).run_test():
        bar = card.query_one(ProgressBar)
        assert text(card, "title") == "Adding docs — running"
        assert bar.total is None  # the first file is being read: a pulse, not 0%
        assert not card.query_one(".job-errors").display
        card.update_job(
            Job(id="j", status="running", files_total=4, files_done=1, chunks=7, current="/d/b.md")
        )
        assert (bar.total, bar.progress) == (4, 1)
        assert text(card, "detail") == "files 1/4 · chunks 7 · b.md"
        card.update_job(
            Job(
                id="j",
                status="done",
                files_total=4,
                files_done=4,
                added=3,
                unchanged=1,
                chunks=20,
            )
        )
        assert (bar.total, bar.progress) == (4, 4)
        assert text(card, "title") == "Adding docs — done"
        assert text(card, "detail") == "files 4/4 · chunks 20 · 3 added, 0 replaced · 1 unchanged"
        assert card.has_class("-finished") and not card.has_class("-with-errors")


async def test_per_file_errors_and_skipped_files_are_listed():
    job = Job(
        id="j",
        status="done",
        files_total=2,
        files_done=2,
        added=1,
        failed=1,
        errors=[file_error("/docs/broken.pdf", "the PDF is damaged")],
        skipped=[file_error("/docs/LICENSE", "skipped: unsupported type", "unsupported_file")],
    )
    card = JobCard("Adding docs", job)
    async with WidgetHost(card).run_test():
        assert card.query_one(".job-errors").display
        assert text(card, "errors").splitlines() == [
            "✗ /docs/broken.pdf: the PDF is damaged",
            "– LICENSE: skipped: unsupported type",
        ]
        assert card.has_class("-with-errors")
        assert "1 failed · 1 skipped" in text(card, "detail")


async def test_a_failed_job_without_file_errors_shows_its_message():
    job = Job(id="j", status="failed", message="the disk is full")
    card = JobCard("Re-chunking", job)
    async with WidgetHost(card).run_test():
        assert text(card, "errors") == "✗ the disk is full"
        assert card.has_class("-finished") and card.has_class("-with-errors")
        bar = card.query_one(ProgressBar)
        assert (bar.total, bar.progress) == (1, 1)  # nothing to count: a full bar when over


async def test_the_poller_feeds_the_card_until_the_job_ends(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("localchat.client.ingest.POLL_S", 0.01)
    api = FakeClient(
        jobs=[
            Job(id="j1", status="running", files_total=2, files_done=1),
            Job(id="j1", status="done", files_total=2, files_done=2, added=2),
        ]
    )
    card = JobCard("Adding docs")
    async with WidgetHost(card, api=api).run_test():
        final = await follow(api, [Job(id="j1", status="queued")], card)
        assert final.status == "done" and api.polled == ["j1", "j1"]
        assert card.job is not None and card.job.added == 2
        assert text(card, "title") == "Adding docs — done"
        assert text(card, "detail").startswith("files 2/2")
