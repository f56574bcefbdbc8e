"""Connecting: an unreachable server is explained with a next step; a live one opens Chat."""

from __future__ import annotations

import msgspec
from textual.widgets import Static

from localchat.errors import NotReadyError
from tests.tui.conftest import SIZE, connected, wait_for
from tui.screens.chat import ChatScreen
from tui.screens.connect import ConnectScreen
from tui.screens.library import LibraryScreen
from tui.screens.wizard import WizardScreen
from tui.widgets.status_bar import StatusBar


async def test_unreachable_server_shows_the_reason_and_how_to_start_one(make_app):
    app = make_app("http://127.0.0.1:9")  # nothing listens on the discard port
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.has_class("-failed"))
        assert isinstance(app.screen, ConnectScreen)
        message = str(app.screen.query_one("#connect-message", Static).render())
        assert "No LocalChat server answers at http://127.0.0.1:9" in message
        assert "localchat serve" in message
        assert app.screen.query_one("#retry").display
        await pilot.press("q")
    assert app.return_code in (0, None)


async def test_live_server_opens_chat_with_preset_model_and_count(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        assert isinstance(app.screen, ChatScreen)
        status = app.status
        assert status.connected and status.preset == "balanced"
        assert status.model == "scripted" and status.documents == 2
        widget = app.screen.query_one(StatusBar)
        await wait_for(pilot, lambda: str(widget.render()).strip())
        bar = str(widget.render())
        assert "balanced" in bar and "2 docs" in bar and "scripted" in bar  # short at 80


async def test_the_status_bar_keeps_the_connection_visible_at_80_columns(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f3")  # "Library" is the longest place name
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await wait_for(pilot, lambda: "2 docs" in str(app.screen.query_one(StatusBar).render()))
        long = {"model": "SmolLM2-135M-Instruct.Q4_1", "documents": 1234}
        app.status = msgspec.structs.replace(app.status, **long)
        widget = app.screen.query_one(StatusBar)
        await wait_for(pilot, lambda: "1234 docs" in str(widget.render()))
        bar = str(widget.render())
        assert bar.rstrip().endswith("● online") and len(bar.rstrip()) <= SIZE[0], bar


async def test_empty_library_starts_the_wizard(empty_server, make_app):
    app = make_app(empty_server.url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WizardScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        assert app.prefs.onboarded  # skipped once: not shown again at the next start


async def test_quitting_while_the_server_starts_does_not_wait_for_it(settings):
    import time

    from localchat.client import ServerHandle
    from tui.app import LocalChatApp

    started = []

    def slow_launcher(say, on_spawn):
        say("Starting LocalChat: the answer model is still loading…")
        handle = ServerHandle("http://127.0.0.1:9")
        on_spawn(handle)
        started.append(time.monotonic())
        app._quitting.wait(60)  # what ensure_server's wait does when cancelled
        raise NotReadyError("stopped waiting for the server", hint="start it again")

    app = LocalChatApp(settings, launcher=slow_launcher)
    began = time.monotonic()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: started)
        message = str(app.screen.query_one("#connect-message", Static).render())
        assert "still loading" in message
        await pilot.press("q")
    assert time.monotonic() - began < 15


async def test_a_server_that_goes_away_is_reported_and_chat_says_so(settings, monkeypatch):
    from localchat.client import LocalChatClient
    from localchat.generation.scripted import ScriptedGenerator
    from server.app import create_app
    from tests.server.harness import fake_runtime, running_server
    from tests.tui.conftest import ask
    from tui import connection
    from tui.app import LocalChatApp

    monkeypatch.setattr(connection, "HEARTBEAT_S", 0.3)
    runtime = fake_runtime(settings, ScriptedGenerator(["Hi [1]."]))
    try:
        with running_server(create_app(settings, resources=runtime)) as url:
            app = LocalChatApp(settings, server=url)
            app.prefs.onboarded = True  # an empty library, but no wizard: straight to chat
            async with app.run_test(size=SIZE) as pilot:
                await connected(pilot)
                assert app.status.connected
                await app.api.aclose()
                app.api = LocalChatClient("http://127.0.0.1:9")  # as if the server went away
                await wait_for(pilot, lambda: not app.status.connected)
                answer = await ask(pilot, "still there?")
                await wait_for(pilot, lambda: answer.phase == "failed")
                shown = str(answer.query_one(".answer-status").render())
                assert "localchat serve" in shown or "No LocalChat server" in shown
                widget = app.screen.query_one(StatusBar)
                await wait_for(pilot, lambda: "offline" in str(widget.render()))
    finally:
        runtime.close()
