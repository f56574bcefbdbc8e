"""Where the suite finds its material: shared corpora, the sentence-transformers venv, scripts.

Nothing here is shipped with LocalChat: SciFact and the docs corpus live next to the repo
(`../shared`) in development; elsewhere point LOCALCHAT_BENCH_SHARED at a folder of the same
layout, or the suites that need it report null figures and say why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import localchat

ST_PYTHON_ENV = "LOCALCHAT_BENCH_ST_PYTHON"
SHARED_ENV = "LOCALCHAT_BENCH_SHARED"


def repo_root() -> Path:
    return Path(localchat.__file__).resolve().parents[1]


def shared_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    configured = env.get(SHARED_ENV)
    candidate = Path(configured) if configured else repo_root() / ".." / "shared"
    return candidate.resolve() if candidate.is_dir() else None


def shared_path(*parts: str, environ: Mapping[str, str] | None = None) -> Path | None:
    root = shared_dir(environ)
    if root is None:
        return None
    path = root.joinpath(*parts)
    return path if path.exists() else None


def scifact_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    folder = shared_path("eval", "scifact", environ=environ)
    return folder if folder and (folder / "corpus.jsonl").is_file() else None


def docs_corpus_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    return shared_path("docs-corpus", environ=environ)


def st_python(environ: Mapping[str, str] | None = None) -> Path | None:
    """The interpreter of the sentence-transformers benchmark venv, or None when absent.

    LOCALCHAT_BENCH_ST_PYTHON names it; set it to an empty string to skip that baseline.
    Without it, `../bench-venv` next to the repo is used when it exists.
    """
    env = os.environ if environ is None else environ
    if ST_PYTHON_ENV in env:
        configured = env[ST_PYTHON_ENV].strip()
        return Path(configured) if configured and Path(configured).is_file() else None
    # normpath, not resolve(): a venv's python is a symlink, and following it leaves the venv.
    default = Path(os.path.normpath(repo_root() / ".." / "bench-venv" / "bin" / "python"))
    return default if default.is_file() else None


def st_script() -> Path | None:
    script = repo_root() / "benchmarks" / "st_encode.py"
    return script if script.is_file() else None


def bench_root(data_path: Path) -> Path:
    """Cached benchmark material (seed vectors, synthetic corpora) under the data dir."""
    return data_path / "bench"
