"""App-wide: help lists every binding, the palette has every action, themes persist, 80×24."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.tui.conftest import SIZE, connected, wait_for
from tui.keys import binding_rows, markdown_table
from tui.prefs import Prefs
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.screens.presets import PresetsScreen


def test_binding_table_covers_every_screen():
    rows = binding_rows()
    scopes = {scope for scope, _, _ in rows}
    assert {"Everywhere", "Chat", "Sources", "Library", "Presets", "Conversations"} <= scopes
    keys = {(scope, key) for scope, key, _ in rows}
    assert ("Chat", "esc") in keys and ("Everywhere", "f1") in keys
    assert ("Sources", "1 … 9") in keys
    assert markdown_table().startswith("| Where | Keys | Does |")


async def test_help_screen_and_function_keys(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert app.screen.query_one(DataTable).row_count == len(binding_rows())
        await pilot.press("escape")
        for key, screen in (("f3", LibraryScreen), ("f4", PresetsScreen)):
            await pilot.press(key)
            await wait_for(pilot, lambda screen=screen: isinstance(app.screen, screen))


async def test_palette_offers_every_action(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        wanted = {
            "Chat",
            "Library",
            "Presets",
            "Help",
            "New conversation",
            "Conversations",
            "Explain the last answer",
            "Export conversation",
            "Welcome wizard",
            "Use preset fast",
            "Theme",
            "Quit",
        }
        assert wanted <= titles


async def test_theme_choice_is_remembered(server, make_app, settings):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        app.theme = "textual-light"
        await pilot.pause()
    assert Prefs.load(settings.data_path / "tui.json").theme == "textual-light"
    again = make_app(server.url)
    async with again.run_test(size=SIZE) as pilot:
        await connected(pilot)
        assert again.theme == "textual-light"


def test_docs_list_the_same_keys_as_the_app():
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "tui.md"
    assert markdown_table() in docs.read_text(encoding="utf-8")
