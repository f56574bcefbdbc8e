"""Fixtures for the core's tests: a real SQLite store in the test's tmp dir."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from localchat.store.store import Store


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    opened = Store(tmp_path / "db.sqlite")
    yield opened
    opened.close()
