"""The LocalChat terminal app: connects to (or starts) a server, then Chat, Library, Presets."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

import msgspec
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from localchat.client import (
    LocalChatClient,
    ServerHandle,
    ServerUnreachableError,
    ensure_server,
)
from localchat.config import Settings
from localchat.config_file import config_path, set_value
from localchat.errors import LocalChatError
from tui.commands import palette_commands
from tui.history import ConversationStore
from tui.prefs import Prefs
from tui.readable import readable
from tui.sanitize import one_line
from tui.screens.chat import ChatScreen
from tui.screens.connect import ConnectScreen
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.screens.models import ModelsScreen
from tui.screens.presets import PresetsScreen
from tui.screens.wizard import WizardScreen
from tui.widgets.status_bar import AppStatus

STYLES = Path(__file__).parent / "styles"
STYLE_SHEETS = ("app", "chat", "library", "screens")
HEARTBEAT_S = 15.0
# How long a started server may take to shut down, in the background, after the app has quit
# (a re-index can take many seconds to wind down); then it is killed. A killed server loses
# nothing (SQLite is the source of truth, the index is checked on open) and resumes the
# re-index at its next start.
QUIT_GRACE_S = 10.0
SCREENSHOTS = "screenshots"
Launcher = Callable[[Callable[[str], None], Callable[[ServerHandle], None]], ServerHandle]


class LocalChatApp(App[int]):
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

    # -- connecting -----------------------------------------------------------------------------

    def _default_launcher(self, on_status, on_spawn) -> ServerHandle:
        return ensure_server(
            self.settings,
            config_file=self.config_file,
            on_status=on_status,
            on_spawn=on_spawn,
            cancel=self._quitting,
        )

    def _remember(self, handle: ServerHandle) -> None:
        self.server = handle

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def connect(self) -> None:
        screen = self.screen if isinstance(self.screen, ConnectScreen) else None

        def say(message: str) -> None:
            if screen is not None and not self._quitting.is_set():
                self.call_from_thread(screen.set_message, message)

        try:
            if self.server_override:
                handle = ServerHandle(self.server_override)
            else:
                handle = self.launcher(say, self._remember)
        except LocalChatError as exc:
            if not self._quitting.is_set():
                self.call_from_thread(self._connect_failed, exc)
            return
        if not self._quitting.is_set():
            self.call_from_thread(self._connected, handle)

    def _connect_failed(self, error: LocalChatError) -> None:
        if isinstance(self.screen, ConnectScreen):
            self.screen.show_error(error)
        else:
            self.note_error(error)

    async def _connected(self, handle: ServerHandle) -> None:
        self.server = handle
        if self.api is None or self.api.base_url != handle.base_url.rstrip("/"):
            keys = self.settings.server.api_keys
            self.api = LocalChatClient(handle.base_url, api_key=keys[0] if keys else "")
        try:
            await self.refresh_status(strict=True)
        except LocalChatError as exc:
            self._connect_failed(exc)
            return
        if self.current_mode == "_default":
            self.set_interval(HEARTBEAT_S, self._heartbeat)
            await self.switch_mode("chat")
            if self.status.documents == 0 and not self.prefs.onboarded:
                self.open_wizard()
        else:
            self.notify("Connected again.")

    async def refresh_status(self, strict: bool = False) -> None:
        """Preset, model and document count for the status bar."""
        try:
            config = await self.api.rag_config()
            models = await self.api.models()
            documents = await self.api.documents()
        except LocalChatError as exc:
            if strict:
                raise
            self.note_error(exc)
            return
        bare = [m.id for m in models if not m.id.startswith("localchat")]
        self.status = AppStatus(
            connected=True,
            preset=config.preset,
            model=bare[0] if bare else (models[0].id if models else ""),
            documents=len(documents),
            server=self.api.base_url.removeprefix("http://"),
            collection=self._known_collection(models),
        )

    def _known_collection(self, models) -> str:
        """The remembered collection while the server still has it (it lists
        `localchat/<name>` for each), else "default"."""
        wanted = self.prefs.collection
        names = {m.id.removeprefix("localchat/") for m in models if m.id.startswith("localchat/")}
        return wanted if wanted in names | {"default", "all"} else "default"

    async def _heartbeat(self) -> None:
        try:
            await self.api.health("live")
        except LocalChatError as exc:
            if self.status.connected:
                self.status = self._with(connected=False)
                self.note_error(exc)
            return
        if not self.status.connected:
            await self.refresh_status()

    def _with(self, **changes) -> AppStatus:
        return msgspec.structs.replace(self.status, **changes)

    def set_document_count(self, count: int) -> None:
        self.status = self._with(documents=count, connected=True)

    def set_preset(self, preset: str) -> None:
        self.status = self._with(preset=preset)

    def set_collection(self, collection: str) -> None:
        """Answer from (and add to) `collection` from now on; remembered between runs."""
        self.status = self._with(collection=collection)
        self.prefs.collection = collection
        self.prefs.save(self.prefs_path)

    @work(exclusive=True, group="collection-pick", exit_on_error=False)
    async def action_pick_collection(self) -> None:
        """The collection picker (ctrl+l, or "Choose the collection" in the palette)."""
        from tui.screens.collections import CollectionsScreen

        if self.api is None:
            self.notify("Not connected to a server yet.", severity="error")
            return
        chosen = await self.push_screen_wait(CollectionsScreen(self.status.collection))
        if chosen is not None and chosen != self.status.collection:
            self.set_collection(chosen)
            self.notify(f"Answering from the collection {chosen}.", markup=False)
            if isinstance(self.screen, LibraryScreen):
                self.screen.reload()

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

    # -- navigation -----------------------------------------------------------------------------

    async def action_show(self, mode: str) -> None:
        if self.api is None:
            self.notify("Still connecting to the server…")
            return
        if self.current_mode != mode:
            await self.switch_mode(mode)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def open_wizard(self) -> None:
        def done(question: str | None) -> None:
            self.prefs.save(self.prefs_path)
            if question and isinstance(self.screen, ChatScreen):
                self.screen.ask(question)

        self.push_screen(WizardScreen(), callback=done)

    def action_models(self) -> None:
        """The model picker (F6, or "Choose the answer model" in the palette)."""
        if self.api is not None and not isinstance(self.screen, ModelsScreen):
            self.push_screen(ModelsScreen())

    def model_switched(self, name: str) -> None:
        """After the server switched: remember the choice when this TUI runs its own server."""
        where = ""
        if self.server_override is None:  # our local server: make the choice the default
            try:
                path = config_path(self.config_file)
                set_value(path, "models", "chat_model", name)
                where = f" Saved as models.chat_model in {path}."
            except LocalChatError as exc:
                self.note_error(exc)
        self.notify(f"Answers now come from {name}.{where}", markup=False)

    async def in_chat(self, action: str) -> None:
        await self.action_show("chat")
        if isinstance(self.screen, ChatScreen):
            await self.screen.run_action(action)

    async def wizard(self) -> None:
        await self.action_show("chat")
        if isinstance(self.screen, ChatScreen):
            self.open_wizard()

    @work(exclusive=True, group="preset-switch", exit_on_error=False)
    async def use_preset(self, preset: str) -> None:
        try:
            config, job = await self.api.set_rag_config({"preset": preset})
        except LocalChatError as exc:
            self.note_error(exc)
            return
        self.set_preset(config.preset)
        extra = " Documents are re-indexed in the background (F4 shows progress)." if job else ""
        self.notify(f"Preset {config.preset} is active.{extra}", markup=False)

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
