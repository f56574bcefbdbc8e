"""Deep health: each component exercised for real, with its status and latency.

SQLite is read and written, the vector index is counted against SQLite, the answer model
generates one token, the embedder embeds one text, and the data dir's free space is measured.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from localchat.generation.base import ChatMessage, GenerationParams, collect
from localchat.wire.api import ComponentHealth, HealthReport

GENERATION_TIMEOUT_S = 10.0
DISK_WARN_BYTES = 1 << 30  # below 1 GiB free: degraded
DISK_FAIL_BYTES = 100 << 20  # below 100 MiB: SQLite writes may start failing


class Degraded(Exception):
    """Works, but needs attention."""


def timed(check: Callable[[], tuple[str, dict]]) -> ComponentHealth:
    started = time.perf_counter()
    try:
        detail, data = check()
        status = "ok"
    except Degraded as exc:
        detail, data, status = str(exc), {}, "degraded"
    except Exception as exc:  # the probe reports the failure instead of raising it
        detail, data, status = f"{type(exc).__name__}: {exc}", {}, "fail"
    latency = round((time.perf_counter() - started) * 1000, 2)
    return ComponentHealth(status=status, latency_ms=latency, detail=detail, data=data)


def check_sqlite(store) -> tuple[str, dict]:
    documents, chunks = store.counts()
    store.meta_set("health_probe", str(time.time()))
    if store.meta_get("health_probe") is None:
        raise RuntimeError("a value written to the meta table could not be read back")
    return "read and write ok", {"documents": documents, "chunks": chunks}


def check_index(runtime) -> tuple[str, dict]:
    expected, _ = runtime.store.key_stats(runtime.embedder.model_id)
    held = len(runtime.index)
    data = {"vectors": held, "sqlite_vectors": expected}
    if held != expected:
        raise Degraded(
            f"index holds {held} vectors, SQLite {expected} (an ingest may be "
            "running; otherwise restart to rebuild the index)"
        )
    return "index matches SQLite", data


def check_embedding(embedder) -> tuple[str, dict]:
    vector = embedder.embed(["LocalChat health check"])[0]
    norm = float(np.linalg.norm(vector))
    if vector.shape[0] != embedder.dim or not abs(norm - 1.0) < 1e-3:
        raise RuntimeError(f"unexpected vector: {vector.shape[0]} dims, norm {norm:.4f}")
    return "one text embedded", {"model": embedder.model_id, "dim": embedder.dim}


def check_generation(generator_of: Callable[[], object]) -> tuple[str, dict]:
    outcome: dict = {}
    cancel = threading.Event()

    def run() -> None:
        try:
            generator = generator_of()
            messages = [ChatMessage("user", "Say OK.")]
            params = GenerationParams(max_tokens=1, temperature=0.0, seed=0)
            outcome["result"] = collect(generator.stream(messages, params, cancel))
            outcome["model"] = generator.model_id
        except Exception as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="localchat-health-generate", daemon=True)
    worker.start()
    worker.join(GENERATION_TIMEOUT_S)
    if worker.is_alive():
        cancel.set()  # it stops as soon as it gets the model
        raise Degraded(
            f"no token within {GENERATION_TIMEOUT_S:.0f}s: the model is busy with other answers"
        )
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]
    return "one token generated", {
        "model": outcome["model"],
        "completion_tokens": result.usage.completion_tokens,
    }


def check_disk(path: Path) -> tuple[str, dict]:
    usage = shutil.disk_usage(path)
    data = {"free_bytes": usage.free, "total_bytes": usage.total}
    if usage.free < DISK_FAIL_BYTES:
        raise RuntimeError(f"only {usage.free >> 20} MiB free in {path}")
    if usage.free < DISK_WARN_BYTES:
        raise Degraded(f"{usage.free >> 20} MiB free in {path}")
    return f"{usage.free >> 30} GiB free", data


def deep_report(runtime, generator_of: Callable[[], object]) -> HealthReport:
    components = {
        "sqlite": timed(lambda: check_sqlite(runtime.store)),
        "index": timed(lambda: check_index(runtime)),
        "embedding": timed(lambda: check_embedding(runtime.embedder)),
        "generation": timed(lambda: check_generation(generator_of)),
        "disk": timed(lambda: check_disk(runtime.settings.data_path)),
    }
    return HealthReport(status=overall(components), components=components)


def overall(components: dict[str, ComponentHealth]) -> str:
    statuses = {c.status for c in components.values()}
    return "fail" if "fail" in statuses else "degraded" if "degraded" in statuses else "ok"
