"""Help: every key binding by screen, and where to read more."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from tui.keys import binding_rows

INTRO = (
    "F2 Chat · F3 Library · F4 Presets · ctrl+p finds any action by name · ctrl+t theme · "
    "ctrl+q quit. Docs: docs/tui.md."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss(None)", "Close help")]

    def compose(self):
        with Vertical(id="help-box"):
            yield Static(Content.styled("Keys", "bold $text-accent"), id="help-title")
            yield Static(Content(INTRO), id="help-intro")
            table = DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("Where", "Keys", "Does")
            for scope, keys, text in binding_rows():
                table.add_row(Text(scope), Text(keys, style="bold"), Text(text))
            yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
