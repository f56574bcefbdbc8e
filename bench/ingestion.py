"""Ingestion: real files end to end (walk, parse in a worker, chunk, embed, write, index) against
the raw embedder on the same chunk texts and sentence-transformers' encode in its own venv.

Tokens are counted as the model sees them (special tokens included, cut at its limit), over
the distinct chunk texts: the pipeline embeds a repeated text once, and so do the baselines.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import msgspec

from bench import material
from bench.embed import bench_embedder
from bench.harness import open_runtime
from bench.plan import Plan
from bench.stats import ratio, spread
from localchat.config import Settings
from localchat.embedding.embedder import Embedder

ST_TIMEOUT_S = 1800


class IngestFigures(msgspec.Struct):
    files: int
    documents: int
    chunks: int
    tokens: int  # embedding tokens of the distinct chunk texts
    failed: int
    seconds: dict[str, float]  # min / median / max over repeats
    documents_per_s: dict[str, float]
    chunks_per_s: dict[str, float]
    tokens_per_s: dict[str, float]
    raw_embedder_tokens_per_s: dict[str, float]
    st_tokens_per_s: dict[str, float] | None
    st_note: str
    ingest_vs_raw_embedder: float | None  # medians: 1.0 = no overhead at all
    ingest_vs_sentence_transformers: float | None
    # By CPU-seconds (this process + the parser worker vs sentence-transformers' process):
    # steadier than wall time on a shared machine. > 1: ingestion spends less CPU.
    cpu_seconds: dict[str, float] | None = None
    st_cpu_seconds: float | None = None
    ingest_vs_sentence_transformers_cpu: float | None = None


def prepare_files(workdir: Path, plan: Plan, scifact: Path | None, docs: Path | None) -> list[Path]:
    """The inputs: the shared docs corpus (PDF, Markdown, HTML) and SciFact abstracts as .txt."""
    paths: list[Path] = []
    if plan.ingest_real_files and docs is not None:
        paths.append(docs)
    if scifact is not None and plan.ingest_scifact_docs:
        folder = workdir / "scifact-subset"
        folder.mkdir(parents=True, exist_ok=True)
        with (scifact / "corpus.jsonl").open(encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if number >= plan.ingest_scifact_docs:
                    break
                doc = json.loads(line)
                text = f"{doc.get('title', '')}\n\n{doc.get('text', '')}".strip()
                (folder / f"scifact-{doc['_id']}.txt").write_text(text, encoding="utf-8")
        paths.append(folder)
    return paths


def run(
    settings: Settings,
    embedder: Embedder,
    plan: Plan,
    log: Callable[[str], None],
    *,
    workdir: Path,
    found: material.Material,
) -> IngestFigures | None:
    paths = prepare_files(
        workdir, plan, material.scifact_dir(found), material.docs_corpus_dir(found)
    )
    if not paths:
        log("ingestion: no input files (pass --shared DIR or set LOCALCHAT_BENCH_SHARED)")
        return None
    runs, raw_runs, cpu_runs = [], [], []
    texts: list[str] = []
    for repeat in range(plan.repeats):
        data_dir = Path(tempfile.mkdtemp(prefix="ingest-", dir=workdir))
        runtime, _ = open_runtime(settings, data_dir, embedder, isolate=True)
        cpu_start = _cpu_seconds()
        try:
            report = runtime.library.ingest(paths)
            if not texts:
                texts = [row[0] for row in runtime.store.read("SELECT DISTINCT text FROM chunks")]
        finally:
            runtime.close()  # the parser worker exits here, so its CPU time is counted
            cpu_runs.append(_cpu_seconds() - cpu_start)
            shutil.rmtree(data_dir, ignore_errors=True)
        runs.append(report)
        raw = bench_embedder(embedder, texts, query_runs=0)
        raw_runs.append(raw)
        log(
            f"ingestion {repeat + 1}/{plan.repeats}: {report.added} files, {report.chunks} chunks "
            f"in {report.seconds:.1f}s; raw embedder {raw['seconds']}s"
        )
    tokens = int(raw_runs[0]["tokens"])
    st_runs, st_cpu, st_note = sentence_transformers(
        texts, plan.repeats, workdir, log, found.st_python
    )
    ingest_tps = [tokens / r.seconds for r in runs]
    raw_tps = [float(r["tokens_per_s"]) for r in raw_runs]
    st_tps = [tokens / s for s in st_runs] if st_runs else []
    median_ingest = statistics.median(ingest_tps)
    return IngestFigures(
        files=runs[0].files,
        documents=runs[0].added,
        chunks=len(texts),
        tokens=tokens,
        failed=runs[0].failed,
        seconds=spread([r.seconds for r in runs]),
        documents_per_s=spread([r.added / r.seconds for r in runs], 2),
        chunks_per_s=spread([len(texts) / r.seconds for r in runs], 1),
        tokens_per_s=spread(ingest_tps, 1),
        raw_embedder_tokens_per_s=spread(raw_tps, 1),
        st_tokens_per_s=spread(st_tps, 1) if st_tps else None,
        st_note=st_note,
        ingest_vs_raw_embedder=ratio(median_ingest, statistics.median(raw_tps)),
        ingest_vs_sentence_transformers=(
            ratio(median_ingest, statistics.median(st_tps)) if st_tps else None
        ),
        cpu_seconds=spread(cpu_runs, 2),
        st_cpu_seconds=st_cpu,
        ingest_vs_sentence_transformers_cpu=(
            ratio(st_cpu, statistics.median(cpu_runs)) if st_cpu else None
        ),
    )


def _cpu_seconds() -> float:
    """User + system CPU of this process and of its finished child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def sentence_transformers(
    texts: list[str],
    repeats: int,
    workdir: Path,
    log: Callable[[str], None],
    python: Path | None,
) -> tuple[list[float], float | None, str]:
    """Seconds per encode of `texts`, best CPU-seconds, or ([], None, why not)."""
    script = material.st_script()
    if python is None or not script.is_file():
        return [], None, f"no sentence-transformers venv (--st-python or {material.ST_PYTHON_ENV})"
    corpus = workdir / "st-corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for number, text in enumerate(texts):
            out.write(json.dumps({"_id": str(number), "title": "", "text": text}) + "\n")
    command = [
        str(python),
        str(script),
        "--corpus",
        str(corpus),
        "--limit",
        str(len(texts)),
        "--max-chars",
        "1000000",
        "--repeat",
        str(repeats),
    ]
    log("sentence-transformers baseline (separate venv)…")
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=ST_TIMEOUT_S, check=True
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, OSError, ValueError, IndexError) as exc:
        return [], None, f"sentence-transformers run failed: {str(exc)[:200]}"
    note = f"{python} (torch {result.get('torch', '?')})"
    return [float(s) for s in result["runs_s"]], float(result["cpu_seconds"]), note
