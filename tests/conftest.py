"""Fixtures shared by every test package."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

# onnxruntime imported after usearch segfaults (localchat/ingest/loaders/ocr.py): load it
# first, whichever test file runs first.
with contextlib.suppress(ImportError):
    import onnxruntime  # noqa: F401

from localchat.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test cleanly when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture(scope="session", autouse=True)
def machine_cache(tmp_path_factory: pytest.TempPathFactory):
    """Per-machine caches (the embedder verdict) go to one temp dir for the whole session, for
    this process and the servers and CLIs it starts: never into the user's ~/.cache."""
    import os

    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", environ={})
