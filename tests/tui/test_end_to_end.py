"""End to end with the bundled models: wizard → ingest a real PDF → ask → open a source.

Nothing is injected: the app starts `localchat serve` itself (as `localchat` does for a new
user), talks to it over HTTP, and stops it at the end.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from localchat.config import load_settings
from localchat.modelfiles.locate import bundled_minilm_dir, bundled_smollm2_gguf
from tests.conftest import shared_path
from tests.server.harness import free_port
from tests.tui.conftest import SIZE, add_path, wait_for, wizard_pages
from tui.app import LocalChatApp
from tui.screens.chat import ChatScreen
from tui.screens.sources import SourcesScreen
from tui.widgets.messages import AnswerMessage

QUESTION = "What keeps a self-locking nut tight?"


@pytest.fixture
def real_settings(tmp_path):
    if bundled_minilm_dir() is None or bundled_smollm2_gguf() is None:
        pytest.skip("the bundled models are not installed")
    # Short answers keep the test quick on two cores; everything else is the default.
    env = {"LOCALCHAT_MODELS_MAX_ANSWER_TOKENS": "96", "LOCALCHAT_SERVER_PORT": str(free_port())}
    return load_settings(data_dir=tmp_path / "data", environ=env)


@pytest.mark.slow
async def test_wizard_ingest_pdf_ask_and_open_a_source(real_settings):
    pdf = shared_path("docs-corpus", "faa-amt_handbook_sample.pdf")
    app = LocalChatApp(real_settings)
    try:
        async with app.run_test(size=SIZE) as pilot:
            wizard, pages = await wizard_pages(pilot, timeout=300)
            assert app.server is not None and app.server.started
            for expected in ("models", "documents"):
                await pilot.pause(0.3)
                await pilot.click("#next")
                await wait_for(pilot, lambda expected=expected: pages.current == expected)
            models = wizard.query_one("#models-found", Static)
            await wait_for(pilot, lambda: "SmolLM2" in str(models.render()), timeout=60)
            assert "all-MiniLM-L6-v2" in str(models.render())

            job = await add_path(pilot, wizard, pdf, timeout=120)
            assert job.status == "done" and job.added == 1, job
            await wait_for(pilot, lambda: wizard.ingested)

            await pilot.pause(0.3)
            await pilot.click("#next")
            await wait_for(pilot, lambda: pages.current == "question")
            wizard.query_one("#first-question", Input).value = QUESTION
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            chat = app.screen
            await wait_for(pilot, lambda: chat.query(AnswerMessage))
            answer = chat.query_one(AnswerMessage)
            await wait_for(pilot, lambda: answer.phase in ("done", "failed"), timeout=180)
            assert answer.phase == "done", answer.error
            assert answer.text.strip()
            assert answer.sources and answer.sources[0].filename == pdf.name
            assert answer.sources[0].page == 1

            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
            passage = str(app.screen.query_one("#passage", Static).render())
            assert "nut" in passage.lower()
            breakdown = str(app.screen.query_one("#source-breakdown", Static).render())
            assert "BM25" in breakdown and "cosine" in breakdown
    finally:
        app.shutdown_server()
    # Quitting no longer waits for the server; the server it started is gone within its grace.
    assert app.server.process.wait(timeout=15) is not None
