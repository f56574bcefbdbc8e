"""Issue 13 item 4 on the real server with the bundled models: `localchat ingest` while the
server runs sends the work to it; an ingest that bypasses it (another process writing SQLite)
is caught up; /ready stays 200 throughout and the index file is never clobbered."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time

import httpx
import pytest

from localchat.config import load_settings
from localchat.store.store import Store
from server.app import create_app
from tests.conftest import REPO, shared_path
from tests.server.harness import free_port
from tests.server.realserver import serve_like_cli


def cli(data, port: int, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LOCALCHAT_SERVER_PORT": str(port)}
    return subprocess.run(
        [sys.executable, "-m", "localchat.cli", "--data-dir", str(data), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def vector_files(base: str, query: str) -> list[str]:
    reply = httpx.post(f"{base}/api/search", json={"query": query, "mode": "vector"}, timeout=60)
    assert reply.status_code == 200, reply.text
    return [hit["filename"] for hit in reply.json()["hits"]]


def index_file_count(data) -> int:
    (side,) = data.glob("vectors-*.json")
    return json.loads(side.read_text())["count"]


def sqlite_vectors(data, model: str) -> int:
    store = Store(data / "localchat.db")
    try:
        return store.key_stats(model)[0]
    finally:
        store.close()


@pytest.fixture
def watched_server(tmp_path):
    """The real server and a thread recording every /ready status while the test runs."""
    data = tmp_path / "data"
    settings = load_settings(data_dir=data, environ={})
    app = create_app(settings)
    with serve_like_cli(app, settings.server) as base:
        statuses: list[int] = []
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                statuses.append(httpx.get(f"{base}/api/health/ready", timeout=30).status_code)
                time.sleep(0.1)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        yield base, data, app.state.server.resources, statuses
        stop.set()
        watcher.join(30)


def test_cli_ingest_goes_to_the_running_server(watched_server, tmp_path):
    base, data, runtime, statuses = watched_server
    port = int(base.rsplit(":", 1)[1])
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(shared_path("docs-corpus", "fastchat-openai_api.md"), folder / "fastchat.md")
    (folder / "MIT.LICENSE").write_text("Permission is hereby granted, free of charge\n")
    done = cli(data, port, "ingest", str(folder))
    assert done.returncode == 0, done.stderr
    assert "sending to the LocalChat server" in done.stderr
    assert "skipped" in done.stderr and "MIT.LICENSE" in done.stderr, "skips are reported"
    assert "unsupported type .LICENSE" in done.stderr
    assert "fastchat.md" in vector_files(base, "FastChat as a drop-in replacement for OpenAI APIs")
    model = runtime.embedder.model_id
    assert index_file_count(data) == sqlite_vectors(data, model) == len(runtime.index)
    assert statuses and set(statuses) == {200}, statuses


def test_an_ingest_beside_the_server_is_caught_up_and_never_clobbered(watched_server, tmp_path):
    base, data, runtime, statuses = watched_server
    first = tmp_path / "first"
    first.mkdir()
    source = shared_path("docs-corpus", "faa-amt_handbook_sample.docling-groundtruth.md")
    shutil.copy(source, first / "handbook.md")
    # Another port: nothing answers there, so this CLI writes SQLite and its own index file
    # itself, as an old CLI (or any second process) would.
    beside = cli(data, free_port(), "ingest", str(first))
    assert beside.returncode == 0, beside.stderr
    assert "sending to the LocalChat server" not in beside.stderr
    model = runtime.embedder.model_id
    expected = sqlite_vectors(data, model)
    deadline = time.monotonic() + 30
    while len(runtime.index) != expected:
        assert time.monotonic() < deadline, "the server's index never caught up"
        time.sleep(0.2)
    assert "handbook.md" in vector_files(base, "the two general types of self-locking nuts")
    # The server's next own write must not replace the file with an index that lacks them.
    note = b"# Torque\n\nCastellated nuts take a cotter pin through the bolt.\n"
    job = httpx.post(f"{base}/api/documents", files={"file": ("torque.md", note)}).json()
    while httpx.get(f"{base}/api/jobs/{job['id']}").json()["finished_at"] is None:
        time.sleep(0.1)
    total = sqlite_vectors(data, model)
    assert total > expected and len(runtime.index) == total
    assert index_file_count(data) == total, "the index file holds every vector in SQLite"
    assert set(statuses) == {200}, statuses
