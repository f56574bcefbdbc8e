"""The LocalChat terminal app: connects to (or starts) a server, then Chat, Library, Presets.

This module holds the App (screens, bindings, lifecycle, errors) and `run_tui`; its server
connection is tui/connection.py, its navigation and app-wide actions tui/navigation.py."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from localchat.client import LocalChatClient, ServerHandle, ServerUnreachableError
from localchat.config import Settings
from localchat.errors import LocalChatError
from tui.commands import palette_commands
from tui.connection import Launcher, ServerConnection
from tui.history import ConversationStore
from tui.navigation import AppNavigation
from tui.prefs import Prefs
from tui.readable import readable
from tui.sanitize import one_line
from tui.screens.chat import ChatScreen
from tui.screens.connect import ConnectScreen
from tui.screens.library import LibraryScreen
from tui.screens.presets import PresetsScreen
from tui.widgets.status_bar import AppStatus

STYLES = Path(__file__).parent / "styles"
STYLE_SHEETS = ("app", "chat", "library", "screens")
# How long a started server may take to shut down, in the background, after the app has quit
# (a re-index can take many seconds to wind down); then it is killed. A killed server loses
# nothing (SQLite is the source of truth, the index is checked on open) and resumes the
# re-index at its next start.
QUIT_GRACE_S = 10.0
SCREENSHOTS = "screenshots"


class LocalChatApp(ServerConnection, AppNavigation, App[int]):
    """The app itself: screens and key bindings, its lifecycle (signals, prefs, stopping a
    server it started), screenshots and how errors reach the user. Connecting is
    tui/connection.py, navigation and app-wide actions tui/navigation.py."""

    TITLE = "LocalChat"
    CSS_PATH: ClassVar[list[Path]] = [STYLES / f"{name}.tcss" for name in STYLE_SHEETS]
    MODES: ClassVar[dict] = {"chat": ChatScreen, "library": LibraryScreen, "presets": PresetsScreen}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", priority=True),
        Binding("f2", "show('chat')", "Chat", priority=True),
        Binding("f3", "show('library')", "Library", priority=True),
        Binding("f4", "show('presets')", "Presets", priority=True),
        Binding("f6", "models", "Models", priority=True),
        Binding("ctrl+l", "pick_collection", "Collection", show=False),
        Binding("ctrl+t", "change_theme", "Theme", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    status: reactive[AppStatus] = reactive(AppStatus)

    def __init__(
        self,
        settings: Settings,
        *,
        server: str | None = None,
        launcher: Launcher | None = None,
        config_file: str | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.server_override = server  # use this server as it is: start nothing (tests)
        self.launcher = launcher or self._default_launcher
        self.config_file = config_file
        self.server: ServerHandle | None = None
        self.api: LocalChatClient | None = None
        self.prefs_path = settings.data_path / "tui.json"
        self.prefs = Prefs.load(self.prefs_path)
        self.conversations = ConversationStore.in_data_dir(settings.data_path)
        self.chat_model = "localchat"
        self._quitting = threading.Event()  # ends a wait for a starting server at quit

    def get_default_screen(self) -> Screen:
        return ConnectScreen()

    def on_mount(self) -> None:
        if self.prefs.theme in self.available_themes:
            self.theme = self.prefs.theme
        loop = asyncio.get_running_loop()
        for hangup in (signal.SIGHUP, signal.SIGTERM):
            # A closed terminal or a `kill` quits like ctrl+q, so a started server stops too.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(hangup, self.exit)
        self.connect()

    def watch_theme(self, theme: str) -> None:
        self.prefs.theme = theme

    async def on_unmount(self) -> None:
        self._quitting.set()
        if self.server is not None:
            self.server.terminate()  # it shuts down while the terminal is restored
        self.prefs.save(self.prefs_path)
        self.conversations.close()
        if self.api is not None:
            await self.api.aclose()

    def shutdown_server(self) -> None:
        """Stop the server if this app started it (called once the app has exited)."""
        if self.server is not None:
            self.server.stop_in_background(QUIT_GRACE_S)

    def deliver_screenshot(self, filename=None, path=None, time_format=None) -> str | None:
        """Save an SVG of the screen in <data dir>/screenshots and say where (or why not).

        Textual's own version writes to ~/Downloads, which may not exist, and reports a
        failure without its reason."""
        folder = Path(path) if path else self.settings.data_path / SCREENSHOTS
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = self.save_screenshot(filename, str(folder), time_format)
        except OSError as exc:
            self.notify(
                f"Could not save the screenshot in {folder}: {exc.strerror or exc}. "
                "Check that the data dir is writable, or start with another --data-dir.",
                title="Screenshot",
                severity="error",
                markup=False,
            )
            return None
        self.notify(f"Saved the screenshot to {saved}", title="Screenshot", markup=False)
        return saved

    def note_error(self, error: LocalChatError) -> None:
        """Every failure reaches the user the same way: what happened and what to do."""
        if isinstance(error, ServerUnreachableError):
            self.status = self._with(connected=False)
            if self.server is not None and self.server.started and self.server.log_path:
                error.hint = f"the server this app started stopped; see {self.server.log_path}"
        self.notify(readable(error), severity="error", timeout=12, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in a worker still reaches the user as a message, never a silent stop."""
        error = event.worker.error
        if event.state == WorkerState.ERROR and error is not None:
            if isinstance(error, LocalChatError):
                self.note_error(error)
                return
            self.notify(
                f"Something went wrong ({type(error).__name__}: {one_line(str(error), 200)}). "
                "Try again; if it keeps happening, please report it with the server log.",
                severity="error",
                timeout=15,
                markup=False,
            )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.api is not None:
            yield from palette_commands(self)


def run_tui(settings: Settings, config_file: str | None = None) -> int:
    """Run the TUI until the user quits; stop the server only if the TUI started it."""
    app = LocalChatApp(settings, config_file=config_file)
    try:
        app.run()
    finally:
        app.shutdown_server()
    return app.return_code or 0


__all__ = ["LocalChatApp", "run_tui"]
