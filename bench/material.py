"""Where the suite finds its material: shared corpora, the sentence-transformers venv, scripts.

Nothing here is shipped with LocalChat. The shared folder (SciFact, the docs corpus) comes from
`localchat bench --shared DIR`, else LOCALCHAT_BENCH_SHARED, else `../shared` from the current
directory (the development layout, run from the repo). Suites whose material is absent report
null figures and say why. The location is never derived from where the code is installed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import msgspec

ST_PYTHON_ENV = "LOCALCHAT_BENCH_ST_PYTHON"
SHARED_ENV = "LOCALCHAT_BENCH_SHARED"
DEV_SHARED = Path("..") / "shared"
DEV_ST_PYTHON = Path("..") / "bench-venv" / "bin" / "python"


class Material(msgspec.Struct, frozen=True):
    """The resolved locations; None means absent (the suites that need it skip)."""

    shared: Path | None = None
    st_python: Path | None = None  # the sentence-transformers venv's interpreter


def resolve(
    shared: str | None = None,
    st_python: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Material:
    """Arguments first, then the environment, then the development layout under `cwd`."""
    env = os.environ if environ is None else environ
    base = Path.cwd() if cwd is None else cwd
    return Material(
        shared=_shared_dir(shared or env.get(SHARED_ENV), base),
        st_python=_st_python(st_python, env, base),
    )


def _shared_dir(configured: str | None, base: Path) -> Path | None:
    candidate = Path(configured) if configured else base / DEV_SHARED
    return candidate.resolve() if candidate.is_dir() else None


def _st_python(argument: str | None, env: Mapping[str, str], base: Path) -> Path | None:
    # An empty LOCALCHAT_BENCH_ST_PYTHON skips the baseline even when ../bench-venv exists.
    configured = argument if argument is not None else env.get(ST_PYTHON_ENV)
    if configured is not None:
        configured = configured.strip()
        return Path(configured) if configured and Path(configured).is_file() else None
    # normpath, not resolve(): a venv's python is a symlink, and following it leaves the venv.
    default = Path(os.path.normpath(base / DEV_ST_PYTHON))
    return default if default.is_file() else None


def shared_path(material: Material, *parts: str) -> Path | None:
    if material.shared is None:
        return None
    path = material.shared.joinpath(*parts)
    return path if path.exists() else None


def scifact_dir(material: Material) -> Path | None:
    folder = shared_path(material, "eval", "scifact")
    return folder if folder and (folder / "corpus.jsonl").is_file() else None


def docs_corpus_dir(material: Material) -> Path | None:
    return shared_path(material, "docs-corpus")


def st_script() -> Path:
    """The baseline script, shipped inside this package (run by the other venv's python)."""
    return Path(str(resources.files("bench").joinpath("st_encode.py")))


def bench_root(data_path: Path) -> Path:
    """Cached benchmark material (seed vectors, synthetic corpora) under the data dir."""
    return data_path / "bench"
