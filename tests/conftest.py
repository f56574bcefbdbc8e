"""Fixtures shared by every test package."""

from __future__ import annotations

from pathlib import Path

import pytest

from localchat.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test cleanly when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", environ={})
