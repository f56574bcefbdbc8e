"""JobManager: ingestion and re-chunk jobs on one worker, progress, errors, shutdown."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from localchat.embedding.embedder import HashEmbedder
from localchat.errors import JobNotFoundError, PermissionDeniedError
from localchat.ingest.progress import FileOutcome
from localchat.job import Job
from localchat.jobs.manager import JobManager
from localchat.resources import Resources
from localchat.store.job_log import JobLog
from localchat.telemetry import RecordingTelemetry


@pytest.fixture
def runtime(settings):
    runtime = Resources.open(
        settings, embedder=HashEmbedder(), telemetry=RecordingTelemetry(), isolate_parsing=False
    )
    yield runtime
    runtime.close()


@pytest.fixture
def jobs(runtime):
    manager = JobManager(runtime)
    yield manager
    manager.close()


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_job_reports_progress_errors_and_telemetry(jobs, runtime, tmp_path):
    good = write(tmp_path, "good.md", "# Good\n\nA readable document about rivets.\n")
    refused = FileOutcome.failed("/elsewhere/x.md", PermissionDeniedError("outside the roots"))
    job = jobs.ingest([str(good), str(tmp_path / "missing.md")], [refused])
    assert job.status in ("queued", "running") and job.files_total == 3
    done = jobs.wait(job.id)
    assert done.status == "done" and done.progress == 1.0
    assert (done.added, done.failed, done.files_done) == (1, 2, 3)
    assert {e.code for e in done.errors} == {"path_not_allowed", "file_unreadable"}
    assert len(done.document_ids) == 1 and done.chunks >= 1
    kinds = [call[0] for call in runtime.telemetry.calls]
    assert "ingested" in kinds and ("stored", 1, done.chunks) in runtime.telemetry.calls


def test_unknown_job_raises(jobs):
    with pytest.raises(JobNotFoundError):
        jobs.get("job_missing")


def test_jobs_run_one_at_a_time_in_order(jobs, tmp_path):
    ids = [
        jobs.ingest([str(write(tmp_path / str(n), f"d{n}.md", f"# {n}\n\ntext {n}\n"))]).id
        for n in range(4)
    ]
    finished = [jobs.wait(job_id) for job_id in ids]
    assert all(j.status == "done" for j in finished)
    starts = [j.started_at for j in finished]
    ends = [j.finished_at for j in finished]
    assert starts == sorted(starts)
    assert all(end <= start for end, start in zip(ends, starts[1:], strict=False))


def test_close_cancels_queued_jobs(runtime, tmp_path):
    manager = JobManager(runtime)
    gate = threading.Event()
    original = runtime.library.ingest

    def slow_ingest(*args, **kwargs):
        gate.wait(5)
        return original(*args, **kwargs)

    runtime.library.ingest = slow_ingest
    first = manager.ingest([str(write(tmp_path, "a.md", "# a\n\nalpha\n"))])
    second = manager.ingest([str(write(tmp_path, "b.md", "# b\n\nbeta\n"))])
    gate.set()
    manager.close()
    assert manager.get(second.id).status == "cancelled"
    assert manager.get(first.id).finished_at is not None


def test_rechunk_job_moves_every_document_to_the_active_layout(jobs, runtime, tmp_path):
    text = "# Fasteners\n\n" + " ".join(f"Sentence {n} about bolts and nuts." for n in range(200))
    jobs.wait(jobs.ingest([str(write(tmp_path, "long.md", text))]).id)
    assert not jobs.needs_rechunk()
    runtime.set_rag_config({"preset": "fast"})
    assert jobs.needs_rechunk()
    job = jobs.wait(jobs.rechunk().id)
    assert job.status == "done", job
    assert not jobs.needs_rechunk()
    assert {d.layout for d in runtime.store.list_documents()} == {"512/100"}


def test_finished_jobs_survive_a_restart_and_cut_off_ones_say_interrupted(settings, tmp_path):
    good = write(tmp_path, "kept.md", "# Kept\n\nA document about washers.\n")
    first = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    manager = JobManager(first)
    done = manager.wait(manager.ingest([str(good)]).id)
    gate = threading.Event()
    original = first.library.ingest

    def stuck(*args, **kwargs):
        gate.wait(10)
        return original(*args, **kwargs)

    first.library.ingest = stuck
    running = manager.ingest([str(good)])
    queued = manager.ingest([str(good)])
    # A crash: the process dies with one job running and one queued (nothing closes cleanly).
    JobLog(first.store, Job).save(manager.get(running.id))
    second = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    try:
        after = JobManager(second)
        assert after.get(done.id).status == "done" and after.get(done.id).added == 1
        for job_id in (running.id, queued.id):
            again = after.get(job_id)
            assert again.status == "interrupted" and again.finished_at is not None
            assert "submit it again" in again.message
        assert [j.id for j in after.list()][-1] == done.id, "oldest last, as before"
        after.close()
        assert JobManager(second).get(running.id).status == "interrupted"
    finally:
        gate.set()
        manager.close()
        first.close()
        second.close()
