"""Small modal dialogs: confirm an action, or type one line of text."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class ConfirmScreen(ModalScreen[bool]):
    """Yes/No. Dismisses with True only when the user confirms."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "dismiss(False)", "Cancel"),
        Binding("y", "dismiss(True)", "Confirm"),
    ]

    def __init__(self, title: str, detail: str = "", confirm: str = "Delete") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.detail = detail
        self.confirm_label = confirm

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            if self.detail:
                yield Static(Content(self.detail), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel (n)", id="cancel")
                yield Button(f"{self.confirm_label} (y)", id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # the safe choice is the default

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")


class TextPromptScreen(ModalScreen[str | None]):
    """One line of text (rename, export path). Dismisses with None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, value: str = "", detail: str = "", action: str = "OK") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.value = value
        self.detail = detail
        self.action_label = action

    def compose(self):
        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield Input(self.value, id="dialog-input")
            if self.detail:
                yield Static(Content(self.detail), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.action_label, id="ok", variant="primary")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = self.query_one(Input).value.strip()
        if value:
            self.dismiss(value)
        else:
            self.notify("Type something first, or press Esc to cancel.", severity="warning")

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
