"""TUI fixtures: a real LocalChat server (uvicorn, loopback) on fakes, and the app pointed at it.

The server is the real Litestar app with a real SQLite store and USearch index; only the models
are fakes (HashEmbedder, ScriptedGenerator) so each test takes seconds. The end-to-end test
uses the bundled models instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from localchat.config import Settings, load_settings
from localchat.generation.scripted import ScriptedGenerator
from server.app import create_app
from tests.server.harness import fake_runtime, running_server, write_docs
from tui.app import LocalChatApp
from tui.widgets.messages import AnswerMessage
from tui.widgets.prompt_input import PromptInput

SIZE = (80, 24)
ANSWER = "The Boots nut holds tight despite severe vibration [1]. Go has goroutines [2]."


class TestServer(msgspec.Struct):
    __test__ = False  # not a test class, whatever pytest thinks of the name

    url: str
    runtime: object
    generator: ScriptedGenerator


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The hashing embedder's cosines are small; keep every candidate so answers have sources.
    env = {"LOCALCHAT_RAG_MIN_SIMILARITY": "-1"}
    return load_settings(data_dir=tmp_path / "data", environ=env)


@pytest.fixture
def docs(tmp_path: Path) -> list[Path]:
    return write_docs(tmp_path / "docs")


@pytest.fixture
def generator() -> ScriptedGenerator:
    return ScriptedGenerator([ANSWER])


def _serve(settings: Settings, generator: ScriptedGenerator, docs: list[Path] | None):
    runtime = fake_runtime(settings, generator)
    if docs:
        report = runtime.library.ingest(docs)
        assert report.failed == 0, report.errors
    try:
        with running_server(create_app(settings, resources=runtime)) as url:
            yield TestServer(url, runtime, generator)
    finally:
        runtime.close()


@pytest.fixture
def server(settings: Settings, generator: ScriptedGenerator, docs) -> Iterator[TestServer]:
    """A server whose library already holds two small documents."""
    yield from _serve(settings, generator, docs)


@pytest.fixture
def empty_server(settings: Settings, generator: ScriptedGenerator) -> Iterator[TestServer]:
    """A server with an empty library (first run)."""
    yield from _serve(settings, generator, None)


@pytest.fixture
def make_app(settings: Settings):
    def make(url: str) -> LocalChatApp:
        return LocalChatApp(settings, server=url)

    return make


async def wait_for(pilot, condition, timeout: float = 10.0, step: float = 0.05) -> None:
    """Let the app run until condition() holds (workers and HTTP take a moment)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout}s: {condition}")
        await pilot.pause(step)


async def ask(pilot, question: str) -> AnswerMessage:
    """Type `question` into the chat's prompt and send it; the answer widget, still filling."""
    prompt = pilot.app.screen.query_one(PromptInput)
    prompt.value = question
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.query(AnswerMessage))
    return pilot.app.screen.query(AnswerMessage).last()


async def answered(pilot, question: str) -> AnswerMessage:
    """Ask, then wait until the answer is complete."""
    answer = await ask(pilot, question)
    await wait_for(pilot, lambda: answer.phase == "done")
    return answer


async def connected(pilot, screen_name: str = "ChatScreen") -> None:
    """Wait until that screen is up and composed (every main screen ends with a Footer)."""

    def ready() -> bool:
        screen = pilot.app.screen
        return type(screen).__name__ == screen_name and bool(screen.query("Footer"))

    await wait_for(pilot, ready)


async def wizard_ready(pilot, wizard) -> None:
    """The wizard is composed and on its first step (Back disabled is set by its on_mount)."""

    def ready() -> bool:
        back = wizard.query("#back")
        return bool(back) and back.first().disabled and bool(wizard.query("Footer"))

    await wait_for(pilot, ready)


async def wizard_pages(pilot, timeout: float = 10.0):
    """Wait for the first-run wizard to be up on its first step: (the wizard, its pages)."""
    from textual.widgets import ContentSwitcher

    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "WizardScreen", timeout)
    wizard = pilot.app.screen
    await wizard_ready(pilot, wizard)
    return wizard, wizard.query_one(ContentSwitcher)


async def skip_wizard(pilot) -> None:
    """Leave the first-run wizard with Esc (that saves the preferences) for the chat."""
    await wizard_pages(pilot)
    await pilot.pause(0.3)
    await pilot.press("escape")
    await connected(pilot)


async def add_path(pilot, screen, path, timeout: float = 30.0):
    """Type `path` into the screen's path box and press Enter; the job once its card shows
    it finished."""
    from tui.widgets.job_card import JobCard
    from tui.widgets.path_input import PathInput

    path_input = screen.query_one(PathInput)
    path_input.focus()
    path_input.value = str(path)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.query(JobCard))
    card = screen.query_one(JobCard)
    await wait_for(pilot, lambda: card.job is not None and card.job.finished, timeout=timeout)
    return card.job
