"""Where the suite looks for material: env overrides, absent material, venv pythons kept as is."""

from __future__ import annotations

import os

from bench import material, suite
from bench.memory import _status_mb, file_sizes_mb


def test_st_python_honours_the_environment(tmp_path):
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    target = tmp_path / "real-python"
    target.write_text("")
    os.symlink(target, python)  # a venv's python is a symlink out of the venv
    env = {material.ST_PYTHON_ENV: str(python)}
    found = material.resolve(environ=env, cwd=tmp_path)
    assert found.st_python == python  # not resolved: that would leave the venv
    skip = {material.ST_PYTHON_ENV: ""}
    assert material.resolve(environ=skip, cwd=tmp_path).st_python is None  # explicitly skipped
    missing = {material.ST_PYTHON_ENV: str(tmp_path / "missing")}
    assert material.resolve(environ=missing, cwd=tmp_path).st_python is None


def test_the_argument_wins_over_the_environment_and_the_dev_default(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "shared").mkdir()
    dev_python = tmp_path / "bench-venv" / "bin" / "python"
    dev_python.parent.mkdir(parents=True)
    dev_python.write_text("")
    dev = material.resolve(environ={}, cwd=repo)  # ../shared and ../bench-venv from the cwd
    assert dev.shared == (tmp_path / "shared").resolve() and dev.st_python == dev_python
    other = tmp_path / "other"
    other.mkdir()
    env = {material.SHARED_ENV: str(tmp_path / "shared"), material.ST_PYTHON_ENV: ""}
    chosen = material.resolve(str(other), str(dev_python), environ=env, cwd=repo)
    assert chosen.shared == other.resolve() and chosen.st_python == dev_python
    deeper = other / "repo"
    deeper.mkdir()
    assert material.resolve(environ={}, cwd=deeper).shared is None  # no ../shared there


def test_shared_material_can_be_pointed_elsewhere(tmp_path):
    (tmp_path / "eval" / "scifact").mkdir(parents=True)
    found = material.resolve(environ={material.SHARED_ENV: str(tmp_path)}, cwd=tmp_path)
    assert material.scifact_dir(found) is None  # no corpus.jsonl yet
    (tmp_path / "eval" / "scifact" / "corpus.jsonl").write_text("{}\n")
    assert material.scifact_dir(found) == (tmp_path / "eval" / "scifact").resolve()
    assert material.docs_corpus_dir(found) is None
    nowhere = {material.SHARED_ENV: str(tmp_path / "nope")}
    assert material.resolve(environ=nowhere, cwd=tmp_path).shared is None
    assert material.docs_corpus_dir(material.Material()) is None


def test_the_baseline_script_ships_with_the_package():
    assert material.st_script().is_file()


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
