"""The ingestion suite's CPU-seconds comparison with sentence-transformers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench import ingestion


def test_cpu_seconds_count_this_process_and_finished_children(tmp_path: Path) -> None:
    import subprocess

    before = ingestion._cpu_seconds()
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    assert ingestion._cpu_seconds() - before > 0.05  # the child's work is included


def test_sentence_transformers_reports_best_cpu_seconds(tmp_path: Path, monkeypatch) -> None:
    fake = tmp_path / "st_fake.py"
    fake.write_text(
        "import json\nprint(json.dumps({'runs_s': [2.0, 1.5], 'cpu_seconds': 1.25, 'torch': 'x'}))"
    )
    monkeypatch.setattr(ingestion.material, "st_script", lambda: fake)
    python = Path(sys.executable)
    runs, cpu, note = ingestion.sentence_transformers(["a", "b"], 2, tmp_path, print, python)
    assert runs == [2.0, 1.5] and cpu == 1.25 and "torch x" in note
    corpus = [json.loads(line) for line in (tmp_path / "st-corpus.jsonl").read_text().splitlines()]
    assert [doc["text"] for doc in corpus] == ["a", "b"]


def test_without_the_venv_there_is_no_figure(tmp_path: Path, monkeypatch) -> None:
    runs, cpu, note = ingestion.sentence_transformers(["a"], 1, tmp_path, print, None)
    assert runs == [] and cpu is None and "venv" in note
