"""Where the suite looks for material: env overrides, absent material, venv pythons kept as is."""

from __future__ import annotations

import os

from localchat.bench import material, suite
from localchat.bench.memory import _status_mb, file_sizes_mb


def test_st_python_honours_the_environment(tmp_path):
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    target = tmp_path / "real-python"
    target.write_text("")
    os.symlink(target, python)  # a venv's python is a symlink out of the venv
    env = {material.ST_PYTHON_ENV: str(python)}
    assert material.st_python(env) == python  # not resolved: that would leave the venv
    assert material.st_python({material.ST_PYTHON_ENV: ""}) is None  # explicitly skipped
    assert material.st_python({material.ST_PYTHON_ENV: str(tmp_path / "missing")}) is None


def test_shared_material_can_be_pointed_elsewhere(tmp_path):
    (tmp_path / "eval" / "scifact").mkdir(parents=True)
    env = {material.SHARED_ENV: str(tmp_path)}
    assert material.scifact_dir(env) is None  # no corpus.jsonl yet
    (tmp_path / "eval" / "scifact" / "corpus.jsonl").write_text("{}\n")
    assert material.scifact_dir(env) == (tmp_path / "eval" / "scifact").resolve()
    assert material.docs_corpus_dir(env) is None
    assert material.shared_dir({material.SHARED_ENV: str(tmp_path / "nope")}) is None


def test_suites_can_be_chosen():
    assert suite.chosen_suites({}) == suite.SUITES
    assert suite.chosen_suites({suite.SUITES_ENV: "memory, retrieval,bogus"}) == (
        "retrieval",
        "memory",
    )


def test_memory_helpers_read_sizes_and_rss(tmp_path):
    (tmp_path / "localchat.db").write_bytes(b"x" * 2**20)
    (tmp_path / "vectors-m.usearch").write_bytes(b"x" * 2**21)
    assert file_sizes_mb(tmp_path) == {"index": 2.0, "db": 1.0}
    assert _status_mb("VmHWM") >= _status_mb("VmRSS") > 0
