"""The app's navigation and app-wide actions: the F-key screens, help, the model and
collection pickers, the welcome wizard, chat actions from the palette and switching presets.

Mixed into `LocalChatApp` (tui/app.py); its key bindings and the palette (tui/commands.py) call
these."""

from __future__ import annotations

from textual import work

from localchat.config_file import config_path, set_value
from localchat.errors import LocalChatError
from tui.screens.chat import ChatScreen
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.screens.models import ModelsScreen
from tui.screens.wizard import WizardScreen


class AppNavigation:
    """Mixed into LocalChatApp: moving between screens and the actions that do so."""

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
