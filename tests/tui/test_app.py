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


async def test_help_rows_fit_80_columns(server, make_app):
    from textual.widgets import DataTable

    from tests.tui.conftest import SIZE, connected, wait_for
    from tui.screens.help import HelpScreen

    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        await pilot.pause(0.2)
        assert table.virtual_size.width <= table.scrollable_content_region.width


async def test_screenshot_goes_to_the_data_dir_and_says_where(server, make_app, settings):
    from tests.tui.conftest import SIZE, connected, wait_for

    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        saved = app.deliver_screenshot()
        assert saved is not None
        path = settings.data_path / "screenshots"
        (svg,) = path.glob("*.svg")
        assert str(svg) == saved and svg.read_text().startswith("<svg")
        await wait_for(pilot, lambda: any(saved in str(n.message) for n in app._notifications))


async def test_a_screenshot_that_cannot_be_saved_says_why(server, make_app, settings):
    from tests.tui.conftest import SIZE, connected, wait_for

    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        (settings.data_path / "screenshots").write_text("a file where the folder should be")
        assert app.deliver_screenshot() is None

        def said() -> list[str]:
            return [str(n.message) for n in app._notifications if "screenshot" in str(n.message)]

        await wait_for(pilot, said)
        (message,) = said()
        assert "Could not save the screenshot in" in message and "exists" in message.lower()


async def test_quit_takes_under_a_second_even_if_the_server_is_slow_to_stop(
    server, make_app, monkeypatch
):
    import subprocess
    import sys
    import time

    from localchat.client import ServerHandle
    from tests.tui.conftest import SIZE, connected

    # A started server busy re-indexing: it ignores SIGTERM for far longer than a second.
    slow = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, "
            "signal.SIG_IGN); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    assert slow.stdout.readline().strip() == b"ready"
    import tui.app

    monkeypatch.setattr(tui.app, "QUIT_GRACE_S", 0.5)
    app = make_app(server.url)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await connected(pilot)
            app.server = ServerHandle(server.url, slow)
            started = time.monotonic()
            await pilot.press("ctrl+q")
        app.shutdown_server()
        elapsed = time.monotonic() - started
        assert elapsed < 1.0, elapsed
        assert slow.wait(timeout=10) == -9  # killed after its grace, not left behind
    finally:
        if slow.poll() is None:
            slow.kill()
            slow.wait()
