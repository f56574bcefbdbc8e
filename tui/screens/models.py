"""The model picker: the chat models the server found, one line each; Enter or 1-9 switches."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from localchat.errors import LocalChatError
from localchat.wire.models import ModelView
from tui.readable import readable
from tui.sanitize import one_line

HINT = "↑↓ then Enter, or the model's number, switches · Esc closes"


def model_prompt(number: int, model: ModelView) -> Content:
    mark = ("● ", "$text-success") if model.active else ("  ", "")
    key = f"{number}  " if number <= 9 else "   "
    return Content.assemble(
        key,
        mark,
        (one_line(model.name, 40), "bold"),
        "  ",
        (one_line(model.note, 60), "$text-muted"),
        ("  " + model.origin, "$text-muted"),
    )


class ModelsScreen(ModalScreen[str | None]):
    """Dismisses with the name of the model switched to, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close"),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.models: list[ModelView] = []

    def compose(self):
        with Vertical(id="models-box"):
            yield Static(Content.styled("Answer model", "bold"), id="models-title")
            yield OptionList(id="models-list")
            yield Static(Content(HINT), id="models-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load()

    @work(exclusive=True, group="models-load", exit_on_error=False)
    async def _load(self) -> None:
        try:
            view = await self.app.api.local_models()
        except LocalChatError as exc:
            self._status(Content.assemble(("✗ ", "$text-error"), readable(exc)))
            return
        self.models = [m for m in view.models if m.kind == "chat"]
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(
            Option(model_prompt(n, m), id=m.name) for n, m in enumerate(self.models, 1)
        )
        active = next((n for n, m in enumerate(self.models) if m.active), 0)
        if self.models:
            listing.highlighted = active
        for warning in view.warnings[:3]:
            self.notify(one_line(warning, 120), severity="warning", markup=False)

    def action_pick(self, number: int) -> None:
        if 0 < number <= len(self.models):
            self.switch(self.models[number - 1].name)

    @on(OptionList.OptionSelected, "#models-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.switch(event.option.id)

    @work(exclusive=True, group="models-switch", exit_on_error=False)
    async def switch(self, name: str) -> None:
        self._status(Content(f"Loading {one_line(name, 60)}…"))
        try:
            result = await self.app.api.use_model(name)
        except LocalChatError as exc:
            self._status(Content.assemble(("✗ ", "$text-error"), readable(exc)))
            return
        self.app.model_switched(result.chat_model)
        self.dismiss(result.chat_model)

    def _status(self, text: Content) -> None:
        self.query_one("#models-status", Static).update(text)
