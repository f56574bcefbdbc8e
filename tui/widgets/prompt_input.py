"""The question box: an Input that walks through earlier questions with Up and Down."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input


class PromptInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous question", show=False),
        Binding("down", "history(1)", "Next question", show=False),
    ]

    def __init__(self, history: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.history = history  # shared with the app's prefs, newest last
        self._position = len(history)
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._position == len(self.history):
            self._draft = self.value  # keep what was being typed to come back to it
        self._position = max(0, min(len(self.history), self._position + step))
        self.value = (
            self._draft if self._position == len(self.history) else self.history[self._position]
        )
        self.cursor_position = len(self.value)

    def reset_history(self) -> None:
        self._position = len(self.history)
        self._draft = ""
