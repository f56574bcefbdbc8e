"""Server fixtures: a runtime on HashEmbedder + ScriptedGenerator, the app, a TestClient."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from litestar.testing import TestClient

from localchat.config import Settings
from localchat.generation.scripted import ScriptedGenerator
from server.app import create_app
from tests.server.harness import fake_runtime, write_docs

BASE_URL = "http://127.0.0.1:8484"


def with_server(settings: Settings, **changes) -> Settings:
    return msgspec.structs.replace(
        settings, server=msgspec.structs.replace(settings.server, **changes)
    )


@pytest.fixture
def docs(tmp_path: Path) -> list[Path]:
    return write_docs(tmp_path / "docs")


@pytest.fixture
def generator() -> ScriptedGenerator:
    return ScriptedGenerator(["The Boots nut holds tight despite vibration [1]. See also [7]."])


@pytest.fixture
def runtime(settings: Settings, generator: ScriptedGenerator, docs: list[Path]):
    runtime = fake_runtime(settings, generator)
    report = runtime.library.ingest(docs)
    assert report.failed == 0, report.errors
    yield runtime
    runtime.close()


@pytest.fixture
def app(settings: Settings, runtime):
    return create_app(settings, resources=runtime)


@pytest.fixture
def client(app):
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client
