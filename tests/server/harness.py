"""Test helpers: a runtime on fakes, a real uvicorn server in a thread, SSE parsing."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn

from localchat.config import Settings, with_rag
from localchat.embedding.embedder import HashEmbedder
from localchat.generation.scripted import ScriptedGenerator
from localchat.resources import Resources
from localchat.telemetry import RecordingTelemetry, Telemetry
from server.metrics import Metrics, PrometheusTelemetry

DOCS = {
    "nuts.md": "# Self-locking nuts\n\nThe Boots self-locking nut is one piece, all-metal, "
    "and holds tight despite severe vibration. A spring joins its two sections.\n\n"
    "# Elastic stop nut\n\nThe elastic stop nut has a fiber locking collar.\n",
    "gophers.txt": "Go has goroutines and channels. The gofrontend compiler is written in "
    "C++ and shares the GCC backend.\n",
}


def write_docs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in DOCS.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def fake_runtime(
    settings: Settings,
    generator: ScriptedGenerator | None = None,
    telemetry: Telemetry | None = None,
) -> Resources:
    """Resources on fakes reporting to Prometheus metrics (which an app serving them shows),
    and on to `telemetry` (default a RecordingTelemetry: `runtime.telemetry.inner`)."""
    # Generative answers, so the scripted model's text is what the server renders; the hash
    # embedder's cosines run far below MiniLM's, for which rag.decline_score is set.
    settings = with_rag(settings, answer_mode="generative", decline_score=0.0)
    reports = PrometheusTelemetry(Metrics(), inner=telemetry or RecordingTelemetry())
    runtime = Resources.open(
        settings, embedder=HashEmbedder(), isolate_parsing=False, telemetry=reports
    )
    runtime.set_generator(generator or ScriptedGenerator(["The Boots nut holds tight [1]."]))
    return runtime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(app, *, ready_path: str = "/api/health/ready", timeout: float = 120.0):
    """Serve app with uvicorn on a free loopback port; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, ready_path, timeout)
        yield base
    finally:
        server.should_exit = True
        thread.join(30)


def wait_ready(base: str, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(base + path, timeout=5).status_code == 200:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{base}{path} not ready after {timeout}s")


def upload_and_wait(
    base: str, files: list[tuple[str, bytes, str]], *, timeout: float = 600.0, step: float = 0.2
) -> dict:
    """POST (name, bytes, media type) files to a running server's /api/documents and poll
    the job until it finishes; its final state, which must be `done`."""
    upload = [("file", file) for file in files]
    job = httpx.post(f"{base}/api/documents", files=upload, timeout=60).json()
    deadline = time.monotonic() + timeout
    while (state := httpx.get(f"{base}/api/jobs/{job['id']}").json())["finished_at"] is None:
        assert time.monotonic() < deadline, "ingestion did not finish"
        time.sleep(step)
    assert state["status"] == "done", state
    return state


def read_files(paths, media_type: str) -> list[tuple[str, bytes, str]]:
    """Files on disk as upload_and_wait takes them."""
    return [(p.name, p.read_bytes(), media_type) for p in paths]


def sse_events(lines: Iterator[str]) -> Iterator[dict | str]:
    """The JSON payloads of an SSE stream, then the string "[DONE]"."""
    for line in lines:
        if not line.startswith("data: "):
            continue
        payload = line.removeprefix("data: ")
        yield payload if payload == "[DONE]" else json.loads(payload)
