"""Layout snapshots at 80×24 as plain text (tests/tui/snapshots/*.txt).

Text, not SVG: a layout change shows up as a readable diff, colours and themes do not churn
the files. Rewrite them after an intended change with LOCALCHAT_UPDATE_SNAPSHOTS=1.
"""

from __future__ import annotations

from tests.tui.conftest import SIZE, answered, connected, wait_for
from tests.tui.screen_text import assert_snapshot
from tui.screens.presets import PresetsScreen
from tui.screens.sources import SourcesScreen
from tui.screens.wizard import WizardScreen


async def test_connect_failure_layout(make_app):
    app = make_app("http://127.0.0.1:9")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.has_class("-failed"))
        await pilot.pause(0.2)
        await assert_snapshot(pilot, "connect_failed")


async def test_chat_and_sources_layout(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await answered(pilot, "What holds tight despite vibration?")
        await pilot.pause(0.3)
        await assert_snapshot(pilot, "chat_answered")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
        await pilot.pause(0.3)
        await assert_snapshot(pilot, "sources")


async def test_presets_layout(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, PresetsScreen))
        await wait_for(pilot, lambda: app.screen.current is not None)
        await pilot.pause(0.3)
        await assert_snapshot(pilot, "presets")


async def test_wizard_layout(empty_server, make_app):
    app = make_app(empty_server.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WizardScreen))
        await pilot.pause(0.5)
        await assert_snapshot(pilot, "wizard_welcome")
