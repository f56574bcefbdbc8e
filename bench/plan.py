"""How much each suite does: the default run (~10-15 min), --quick for CI, --scale overrides."""

from __future__ import annotations

import msgspec

DEFAULT_SCALES = (10_000, 100_000)
QUICK_SCALES = (10_000,)


class Plan(msgspec.Struct, frozen=True):
    quick: bool
    scales: tuple[int, ...]
    repeats: int  # repeated runs of each measurement: report min / median / max
    queries: int  # queries per latency run
    recall_queries: int
    ingest_scifact_docs: int  # SciFact abstracts ingested as documents
    ingest_real_files: bool  # also ../shared/docs-corpus (PDF, Markdown, HTML)
    serving_requests: int  # requests per concurrency level for cached answers
    concurrency: tuple[int, ...]
    generation_tokens: int
    serving_preset: str  # the preset (model localchat:<preset>) the serving suite asks with
    ttft_questions: int  # distinct questions: a repeated prompt would reuse llama.cpp's KV cache
    seed_texts: int  # real texts embedded once to anchor the synthetic vectors
    ready_repeats: int


def make_plan(quick: bool = False, scales: list[int] | None = None) -> Plan:
    if quick:
        return Plan(
            quick=True,
            scales=tuple(scales or QUICK_SCALES),
            repeats=3,
            queries=25,
            recall_queries=50,
            ingest_scifact_docs=20,
            ingest_real_files=False,
            serving_requests=40,
            concurrency=(1, 8),
            generation_tokens=16,
            serving_preset="fast",  # half the sources: CI pays for less prompt processing
            ttft_questions=1,
            seed_texts=200,
            ready_repeats=2,
        )
    return Plan(
        quick=False,
        scales=tuple(scales or DEFAULT_SCALES),
        repeats=3,
        queries=100,
        recall_queries=200,
        ingest_scifact_docs=200,
        ingest_real_files=True,
        serving_requests=200,
        concurrency=(1, 8, 32),
        generation_tokens=64,
        serving_preset="balanced",
        ttft_questions=5,
        seed_texts=2000,
        ready_repeats=3,
    )
