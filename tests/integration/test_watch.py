"""Watched folders end to end: `localchat serve` with ingest.watch and `localchat watch`, real
processes on the bundled models, real files in a temp dir."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx

from tests.integration.cli_process import run, running
from tests.server.harness import free_port, wait_ready

NOTE = "# Torque\n\nThe wing bolts are torqued to {n} newton metres before the flight.\n"


def wait_for(condition, timeout: float = 120.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := condition()) is not None and found is not False:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def documents(base: str) -> dict[str, dict]:
    listed = httpx.get(f"{base}/api/documents", timeout=10).json()["data"]
    return {Path(d["path"]).name: d for d in listed}


def test_the_server_keeps_a_watched_folder_in_sync(tmp_path):
    folder = tmp_path / "watched"
    folder.mkdir()
    (folder / "good.md").write_text(NOTE.format(n=40))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> no xref\n")
    config = tmp_path / "localchat.toml"
    config.write_text(f'[ingest]\nwatch = ["{folder}"]\nwatch_debounce_s = 0.3\n')
    port, data = free_port(), tmp_path / "data"
    with running("serve", "--port", str(port), data_dir=data, config=config):
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, "/api/health/ready", timeout=300)
        wait_for(lambda: "good.md" in documents(base), what="the first scan")

        def failed_job():
            jobs = httpx.get(f"{base}/api/jobs", timeout=10).json()
            return next((j for j in jobs if j["errors"]), None)

        job = wait_for(failed_job, what="the ingest job with the broken PDF")
        assert job["kind"] == "ingest" and job["status"] == "done" and job["added"] == 1
        assert [Path(e["path"]).name for e in job["errors"]] == ["broken.pdf"]
        assert job["errors"][0]["code"] == "corrupt_file"

        (folder / "new.md").write_text(NOTE.format(n=55))
        new = wait_for(lambda: documents(base).get("new.md"), what="new.md ingested")
        (folder / "new.md").rename(folder / "moved.md")
        moved = wait_for(lambda: documents(base).get("moved.md"), what="the rename")
        assert moved["id"] == new["id"] and "new.md" not in documents(base)
        (folder / "good.md").unlink()
        wait_for(lambda: "good.md" not in documents(base), what="good.md removed")
        hits = httpx.post(f"{base}/api/search", json={"query": "torqued 55"}, timeout=30).json()
        assert hits["hits"][0]["filename"] == "moved.md"

    doctor = run("doctor", data_dir=data, config=config)
    assert "watched file failed" in doctor.stdout and "broken.pdf" in doctor.stdout


def test_localchat_watch_runs_in_the_foreground_until_ctrl_c(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text(NOTE.format(n=12))
    data = tmp_path / "data"
    with running("watch", str(folder), data_dir=data) as watcher:

        def paths() -> set[str]:
            # A read-only look from beside the watcher (which may still be migrating the file).
            try:
                with sqlite3.connect(f"file:{data / 'localchat.db'}?mode=ro", uri=True) as db:
                    return {Path(p).name for (p,) in db.execute("SELECT path FROM documents")}
            except sqlite3.Error:
                return set()

        wait_for(lambda: paths() == {"a.md"}, timeout=300, what="the first scan")
        (folder / "b.md").write_text(NOTE.format(n=13))
        wait_for(lambda: paths() == {"a.md", "b.md"}, what="b.md ingested")
    assert "watching" in watcher.output and "1 added" in watcher.output


def test_localchat_watch_refuses_a_missing_folder_and_a_bad_collection(tmp_path):
    missing = run("watch", str(tmp_path / "nowhere"), data_dir=tmp_path / "data", timeout=60)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    other = run(
        "watch", str(tmp_path), "--collection", "a/b", data_dir=tmp_path / "data", timeout=60
    )
    assert other.returncode == 2 and "not a valid collection name" in other.stderr
