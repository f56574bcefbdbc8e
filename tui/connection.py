"""The app's link to its server: find or start one (`connect`, on a worker thread), open the
HTTP client, the heartbeat that notices a server gone and back, and the status bar's values
(preset, model, document count, server, collection) read from it.

Mixed into `LocalChatApp` (tui/app.py), which holds settings, prefs, `server`, `api` and
`status`."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from textual import work

from localchat.client import LocalChatClient, ServerHandle, ensure_server
from localchat.errors import LocalChatError
from tui.screens.connect import ConnectScreen
from tui.widgets.status_bar import AppStatus

HEARTBEAT_S = 15.0
Launcher = Callable[[Callable[[str], None], Callable[[ServerHandle], None]], ServerHandle]


class ServerConnection:
    """Mixed into LocalChatApp: connecting, reconnecting and the status bar's state."""

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
