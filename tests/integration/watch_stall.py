"""How long the server's event loop stalls while a watched folder takes a burst of files.

Runs the real server (create_app + uvicorn, as `localchat serve` configures it, bundled
models) with ingest.watch on a temp folder, and on the server's own event loop a probe that
times `asyncio.sleep(0.01)`: the overshoot is the loop's stall. A child process then writes
the burst (as an unzip would), and GET /api/health/live is timed from a client thread
meanwhile. The idle probe before the burst is the baseline of the same run.

    python -m tests.integration.watch_stall [--files 1000] [--json]

A measurement, not a test (pytest does not collect it): it lives beside the tests because it
drives the server in process, which bench/ (a front end beside server/) may not import.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import msgspec
import uvicorn

from localchat.config import load_settings
from server.app import create_app
from server.connections import uvicorn_config

WRITER = """
import sys, pathlib, random
folder, count = pathlib.Path(sys.argv[1]), int(sys.argv[2])
rng = random.Random(7)
words = "rivet torque panel sealant bolt wing flap spar rib skin fastener primer".split()
for n in range(count):
    sub = folder / f"part{n // 100:02}"
    sub.mkdir(parents=True, exist_ok=True)
    body = " ".join(rng.choice(words) for _ in range(160))
    (sub / f"note{n:04}.md").write_text(f"# Note {n}\\n\\nItem {n}: {body}.\\n")
"""


# The same probe in an idle process beside the server, for the same interval: what the machine
# itself (2 shared cores) costs any event loop, the baseline the server's figure is read against.
CONTROL = """
import asyncio, json, sys, threading, time
async def main():
    done, lags = threading.Event(), []
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    while not done.is_set():
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        lags.append((time.perf_counter() - started - 0.01) * 1000)
    print(json.dumps(lags))
asyncio.run(main())
"""


class Lags(msgspec.Struct):
    samples: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def lags(values: list[float]) -> Lags:
    ordered = sorted(values) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Lags(len(values), statistics.median(ordered), p99, ordered[-1])


class Result(msgspec.Struct):
    files: int
    ingest_seconds: float
    ingest_jobs: int
    idle_loop_lag: Lags  # the server's loop, ready and idle, 5 s before the burst
    burst_loop_lag: Lags  # the server's loop from the first file written to the last ingested
    control_loop_lag: Lags  # an idle process's loop over the same interval (the machine)
    burst_live_latency: Lags  # GET /api/health/live from a client thread, during the burst
    max_stall_ratio: float  # burst max loop lag / control max loop lag
    worst_stalls: list[tuple[float, float]] = []  # (seconds after the burst began, ms)
    gc_max_ms: float = 0.0  # the longest garbage collection in the server during the burst
    gc_tracked: int = 0  # objects the collector scans in a full collection, at the burst's start
    job_window_s: tuple[float, float] = (0.0, 0.0)  # the ingest job ran from … to (burst time)


def count_documents(base: str) -> int:
    return len(httpx.get(f"{base}/api/documents", timeout=30).json()["data"])


def run(files: int, work: Path) -> Result:
    folder, data = work / "inbox", work / "data"
    folder.mkdir()
    config = work / "localchat.toml"
    config.write_text(f'[ingest]\nwatch = ["{folder}"]\nwatch_debounce_s = 0.5\n')
    settings = load_settings(config, data, environ={})
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server_settings = msgspec.structs.replace(settings.server, port=port)
    base = f"http://127.0.0.1:{port}"
    app = create_app(settings)
    server = uvicorn.Server(uvicorn_config(app, server_settings, log_level="warning"))
    starting: list[float] = []
    idle: list[float] = []
    burst: list[float] = []
    control: list[float] = []
    live: list[float] = []
    outcome: dict = {}

    def drive(loop_samples: list[list[float]]) -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:  # ready: models loaded, first scan queued
            try:
                if httpx.get(f"{base}/api/health/ready", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        time.sleep(2)  # the first (empty) scan and the warm-up settle
        loop_samples[0] = idle
        time.sleep(5)
        jobs_before = len(httpx.get(f"{base}/api/jobs", timeout=30).json())
        checker = subprocess.Popen(
            [sys.executable, "-c", CONTROL], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        loop_samples[0] = burst  # the probe now records into the burst list
        started, began = time.perf_counter(), time.time()
        outcome["began"] = began
        outcome["tracked"] = len(gc.get_objects())
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(files)])
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < deadline:
                t0 = time.perf_counter()
                client.get(f"{base}/api/health/live")
                live.append((time.perf_counter() - t0) * 1000)
                done = len(live) % 20 == 0 and writer.poll() is not None
                if done and count_documents(base) >= files:
                    break
                time.sleep(0.02)
        writer.wait()
        outcome["seconds"] = time.perf_counter() - started
        loop_samples[0] = starting
        control.extend(json.loads(checker.communicate(b"")[0]))
        listed = httpx.get(f"{base}/api/jobs", timeout=30).json()
        outcome["jobs"] = len(listed) - jobs_before
        outcome["began"] = began
        if listed and listed[0]["started_at"]:
            first = listed[max(outcome["jobs"], 1) - 1]  # newest first: the burst's earliest
            window = (first["started_at"], listed[0]["finished_at"])
            outcome["window"] = tuple(round(t - began, 1) for t in window)
        server.should_exit = True

    async def main() -> None:
        stop = asyncio.Event()
        target = [starting]  # the list the probe records into (the driver switches it)

        async def recording_probe() -> None:
            while not stop.is_set():
                started = time.perf_counter()
                await asyncio.sleep(0.01)
                lag = (time.perf_counter() - started - 0.01) * 1000
                target[0].append(lag)
                if target[0] is burst and lag > 50:
                    stalls.append((round(time.time() - outcome["began"], 1), round(lag)))

        driver = threading.Thread(target=drive, args=(target,), daemon=True)
        task = asyncio.create_task(recording_probe())
        driver.start()
        await server.serve()
        stop.set()
        await task
        driver.join(60)

    stalls: list[tuple[float, float]] = []
    gc_pauses: list[float] = []
    gc_started = [0.0]

    def gc_timer(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        elif "began" in outcome:
            gc_pauses.append((time.perf_counter() - gc_started[0]) * 1000)

    gc.callbacks.append(gc_timer)
    try:
        asyncio.run(main())
    finally:
        gc.callbacks.remove(gc_timer)
    burst_lags, control_lags = lags(burst), lags(control)
    return Result(
        files=files,
        ingest_seconds=round(outcome.get("seconds", 0.0), 2),
        ingest_jobs=outcome.get("jobs", 0),
        idle_loop_lag=lags(idle),
        burst_loop_lag=burst_lags,
        control_loop_lag=control_lags,
        burst_live_latency=lags(live),
        max_stall_ratio=round(burst_lags.max_ms / max(control_lags.max_ms, 0.001), 1),
        worst_stalls=sorted(stalls, key=lambda s: -s[1])[:8],
        gc_max_ms=round(max(gc_pauses, default=0.0), 1),
        gc_tracked=outcome.get("tracked", 0),
        job_window_s=outcome.get("window", (0.0, 0.0)),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="watch-stall-") as tmp:
        result = run(args.files, Path(tmp))
    if args.json:
        print(msgspec.json.format(msgspec.json.encode(result)).decode())
    else:
        for field in result.__struct_fields__:
            print(f"{field}: {getattr(result, field)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
