"""Runs the suites in order (ingestion, retrieval at scale, serving, readiness, memory) with one
embedder, catching each suite's failure so the others still report."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import corpus, ingestion, material, memory, retrieval, seeds, serving
from bench.plan import Plan
from bench.report import BenchReport, finish, machine, now, summary
from localchat.config import Settings

SUITES = ("ingestion", "retrieval", "serving", "ready", "memory")
SUITES_ENV = "LOCALCHAT_BENCH_SUITES"
READY_SCALE = 100_000  # the cold-start size
MEMORY_QUERIES = 20


def chosen_suites(environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """All suites, or the comma-separated subset in LOCALCHAT_BENCH_SUITES."""
    env = os.environ if environ is None else environ
    wanted = [s.strip() for s in env.get(SUITES_ENV, "").split(",") if s.strip()]
    return tuple(s for s in SUITES if s in wanted) if wanted else SUITES


def run_bench(
    settings: Settings,
    plan: Plan,
    log: Callable[[str], None],
    found: material.Material | None = None,
) -> BenchReport:
    from localchat.embedding.embedder import open_embedder
    from localchat.modelfiles.convert import ensure_embedding_gguf

    found = material.resolve() if found is None else found
    started = time.perf_counter()
    report = BenchReport(machine(), plan, now(), 0.0, {}, {})
    wanted = chosen_suites()
    embedder = open_embedder(settings)
    gguf = ensure_embedding_gguf(settings)
    server_env = {memory.EMBEDDING_ENV: str(gguf)}
    root = material.bench_root(settings.data_path)
    workdir = Path(tempfile.mkdtemp(prefix="localchat-bench-"))
    suites = report.suites
    try:

        def attempt(name: str, fn: Callable[[], Any]) -> Any:
            if name not in wanted:
                return None
            log(f"— {name} —")
            try:
                suites[name] = fn()
                if suites[name] is None:
                    suites[name] = {"skipped": "no material for this suite (see the log)"}
            except Exception as exc:  # one suite's failure must not hide the others' figures
                log(f"{name} failed: {exc}\n{traceback.format_exc(limit=4)}")
                suites[name] = {"error": f"{type(exc).__name__}: {exc}"}
            return suites[name]

        attempt(
            "ingestion",
            lambda: ingestion.run(settings, embedder, plan, log, workdir=workdir, found=found),
        )
        seed_set = seeds.load_or_build(
            root, embedder, material.scifact_dir(found), count=plan.seed_texts, log=log
        )
        libraries: dict[int, corpus.CorpusInfo] = {}

        def library(chunks: int) -> corpus.CorpusInfo:
            if chunks not in libraries:
                libraries[chunks] = corpus.ensure_corpus(
                    root, seed_set, embedder.model_id, chunks, log=log
                )
            return libraries[chunks]

        attempt(
            "retrieval",
            lambda: {
                str(n): retrieval.run_scale(
                    settings, embedder, library(n), seed_set.queries, plan, log
                )
                for n in plan.scales
            },
        )
        smallest = min(plan.scales)
        attempt(
            "serving",
            lambda: _serving(
                settings, embedder, plan, library(smallest), seed_set, workdir, log, server_env
            ),
        )
        ready_scale = READY_SCALE if READY_SCALE in plan.scales else smallest
        attempt(
            "ready",
            lambda: _ready(library(ready_scale), plan, workdir, server_env),
        )
        attempt(
            "memory",
            lambda: memory.run(
                {n: library(n).data_dir for n in plan.scales},
                _empty_dir(workdir),
                gguf,
                seed_set.queries[:MEMORY_QUERIES],
                log,
            ),
        )
    finally:
        embedder.close()
        shutil.rmtree(workdir, ignore_errors=True)
    report.summary = summary(suites)
    report.seconds = round(time.perf_counter() - started, 1)
    return finish(report)


def _serving(settings, embedder, plan, info, seed_set, workdir, log, server_env):
    # A copy: the server writes its answer cache, and the cached corpus stays pristine.
    data_dir = workdir / "serving-data"
    shutil.copytree(info.data_dir, data_dir)
    return serving.run(
        settings,
        embedder,
        plan,
        data_dir,
        info.chunks,
        seed_set.queries,
        log,
        server_env=server_env,
        log_file=workdir / "server.log",
    )


def _ready(info, plan, workdir, server_env) -> dict[str, Any]:
    from bench.stats import spread

    seconds = serving.ready_seconds(
        info.data_dir, plan.ready_repeats, server_env, workdir / "server-ready.log"
    )
    return {"chunks": info.chunks, "seconds": spread(seconds), "runs": seconds}


def _empty_dir(workdir: Path) -> Path:
    folder = workdir / "empty-library"
    folder.mkdir(exist_ok=True)
    return folder
