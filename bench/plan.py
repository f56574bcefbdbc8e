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


# Each measurement's size: (--quick, the default run). One table, so the two stay comparable.
SIZES: dict[str, tuple[object, object]] = {
    "repeats": (3, 3),
    "queries": (25, 100),
    "recall_queries": (50, 200),
    "ingest_scifact_docs": (20, 200),
    "ingest_real_files": (False, True),
    "serving_requests": (40, 200),
    "concurrency": ((1, 8), (1, 8, 32)),
    "generation_tokens": (16, 64),
    "serving_preset": ("fast", "balanced"),  # quick: half the sources, less prompt processing
    "ttft_questions": (1, 5),
    "seed_texts": (200, 2000),
    "ready_repeats": (2, 3),
}


def make_plan(quick: bool = False, scales: list[int] | None = None) -> Plan:
    """The --quick (CI) or default plan; `scales` (--scale) replaces its corpus sizes."""
    column = 0 if quick else 1
    sizes = {name: pair[column] for name, pair in SIZES.items()}
    default_scales = QUICK_SCALES if quick else DEFAULT_SCALES
    return Plan(quick=quick, scales=tuple(scales or default_scales), **sizes)
