"""Regenerate the SVG screenshots in docs/images/ with the bundled models and LocalChat's docs.

    python -m tests.tui.make_screenshots [--size 80x24] [--out docs/images]

The app starts its own server (bundled models) on a free loopback port, as `localchat` does,
walks through the first run as a new user would, and saves each screen with
`App.save_screenshot()`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from localchat.config import load_settings
from tests.server.harness import free_port
from tests.tui.conftest import wait_for, wizard_ready
from tui.app import LocalChatApp
from tui.ingest import sample_docs_dir
from tui.screens.sources import SourcesScreen
from tui.widgets.job_card import JobCard
from tui.widgets.messages import AnswerMessage
from tui.widgets.path_input import PathInput

REPO = Path(__file__).resolve().parents[2]
QUESTION = "What does the Library screen show?"


async def walk(app: LocalChatApp, out: Path, size: tuple[int, int]) -> list[Path]:
    saved: list[Path] = []

    async def shot(pilot, name: str) -> None:
        await pilot.pause(0.6)
        saved.append(Path(app.save_screenshot(f"tui-{name}.svg", str(out))))

    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WizardScreen", timeout=60)
        wizard = app.screen
        await wizard_ready(pilot, wizard)
        await shot(pilot, "wizard")
        for _ in range(2):
            await pilot.pause(0.3)
            await pilot.click("#next")
        await pilot.pause(0.3)
        await pilot.click("#sample")
        await wait_for(pilot, lambda: wizard.query(JobCard))
        card = wizard.query_one(JobCard)
        await wait_for(pilot, lambda: card.job is not None and card.job.finished, timeout=300)
        await shot(pilot, "wizard-documents")
        await pilot.pause(0.3)
        await pilot.click("#next")
        wizard.query_one("#first-question").value = QUESTION
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query(AnswerMessage), timeout=30)
        answer = app.screen.query_one(AnswerMessage)
        await wait_for(pilot, lambda: answer.phase != "waiting" and answer.text, timeout=600)
        await shot(pilot, "chat-streaming")
        await wait_for(pilot, lambda: answer.phase in ("done", "failed"), timeout=900)
        await shot(pilot, "chat")
        app.theme = "textual-light"
        await shot(pilot, "chat-light")
        app.theme = "textual-dark"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
        await shot(pilot, "sources")
        await pilot.press("escape")
        await pilot.press("f3")
        await pilot.pause(1.0)
        app.screen.query_one(PathInput).value = str(REPO / "docs" / "ap")
        app.screen.query_one(PathInput).focus()
        await shot(pilot, "library")
        await pilot.press("f4")
        await shot(pilot, "presets")
        await pilot.press("f1")
        await shot(pilot, "help")
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="80x24")
    parser.add_argument("--out", default=str(REPO / "docs" / "images"))
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if sample_docs_dir() is None:
        raise SystemExit("docs/ has no Markdown files to use as the sample")
    env = {"LOCALCHAT_SERVER_PORT": str(free_port()), "LOCALCHAT_MODELS_MAX_ANSWER_TOKENS": "80"}
    with tempfile.TemporaryDirectory() as data:
        app = LocalChatApp(load_settings(data_dir=data, environ=env))
        try:
            for path in asyncio.run(walk(app, out, (width, height))):
                print(path)
        finally:
            app.shutdown_server()


if __name__ == "__main__":
    main()
