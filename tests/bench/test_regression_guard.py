"""CI regression guard: `localchat bench --quick` records its figures to a JSON file and fails
only on a large relative regression against baselines measured in the same run (the raw
embedder, plain FTS5 and USearch, llama-cpp-python called directly). No timed assertion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import guard
from localchat.modelfiles.locate import bundled_minilm_dir, bundled_smollm2_gguf

RECORD_ENV = "LOCALCHAT_BENCH_RECORD"  # where CI keeps the figures (an artifact)
CACHE_ENV = "LOCALCHAT_BENCH_CACHE"  # a data dir kept between runs: seeds and corpora reused


@pytest.mark.slow
def test_quick_bench_has_no_large_relative_regression(tmp_path):
    if bundled_minilm_dir() is None or bundled_smollm2_gguf() is None:
        pytest.skip("the bundled models are not installed")
    data_dir = Path(os.environ.get(CACHE_ENV) or tmp_path / "data")
    record = Path(os.environ.get(RECORD_ENV) or tmp_path / "bench-quick.json")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "localchat.cli",
            "--data-dir",
            str(data_dir),
            "bench",
            "--quick",
            "--json",
            "--output",
            str(record),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert record.is_file(), done.stderr[-3000:]
    report = json.loads(record.read_text())
    assert done.returncode == 0, (done.stderr[-3000:], report.get("suites"))
    assert json.loads(done.stdout) == report  # --json prints the same document it records
    for key in (
        "ingest_tokens_per_s",
        "hybrid_p50_ms",
        "rag_ttft_overhead_ms",
        "ready_seconds",
        "rss_mb_per_100k_chunks",
    ):
        assert key in report
    outcomes = guard.evaluate(report)
    print(guard.describe(outcomes))
    assert all(o.ok for o in outcomes), guard.describe(outcomes)
