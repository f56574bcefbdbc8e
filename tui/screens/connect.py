"""The first screen: find or start the server; on failure, say why and offer a retry."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, LoadingIndicator, Static

from localchat.errors import LocalChatError
from tui.readable import readable


class ConnectScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry"),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self):
        with Center(), Vertical(id="connect-box"):
            yield Static(Content.assemble(("LocalChat", "bold $text-accent")), id="connect-title")
            yield Static(
                Content("Private chat with your documents. Nothing leaves this computer."),
                id="connect-tagline",
            )
            yield LoadingIndicator(id="connect-spinner")
            yield Static(Content("Looking for the LocalChat server…"), id="connect-message")
            with Horizontal(id="connect-buttons"):
                yield Button("Retry (r)", id="retry", variant="primary")
                yield Button("Quit (q)", id="quit")

    def set_message(self, message: str) -> None:
        self.query_one("#connect-message", Static).update(Content(message))

    def show_error(self, error: LocalChatError) -> None:
        self.set_class(True, "-failed")
        self.query_one("#connect-message", Static).update(
            Content.assemble(("✗ ", "bold $text-error"), readable(error))
        )
        self.query_one("#retry", Button).focus()

    def action_retry(self) -> None:
        if self.has_class("-failed"):
            self.set_class(False, "-failed")
            self.set_message("Trying again…")
            self.app.connect()

    @on(Button.Pressed, "#retry")
    def _retry(self) -> None:
        self.action_retry()

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.app.exit()
