"""The collection picker: which collection the chat answers from and the library adds to."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from localchat.client import CollectionView
from localchat.errors import LocalChatError
from tui.readable import readable
from tui.sanitize import one_line

ALL = "all"
HINT = "↑↓ and Enter choose · Esc closes · more: localchat collections create NAME"


def collection_prompt(info: CollectionView, active: str) -> Content:
    mark = ("● ", "$text-success") if info.name == active else ("  ", "")
    detail = f"{_count(info.documents, 'document')}, {_count(info.chunks, 'passage')}"
    if info.name == ALL:
        detail = "every document of the library"
    name = one_line(info.name, 24).ljust(24)
    return Content.assemble(mark, (name, "bold"), (f"  {detail}", "$text-muted"))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class CollectionsScreen(ModalScreen[str | None]):
    """Dismisses with the chosen collection's name ("all": every document), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, active: str) -> None:
        super().__init__()
        self.active = active

    def compose(self):
        with Vertical(id="collections-box"):
            yield Static(Content.styled("Collection", "bold"), id="collections-title")
            yield OptionList(id="collections-list")
            yield Static(Content(HINT), id="collections-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._load()

    @work(exclusive=True, group="collections-load", exit_on_error=False)
    async def _load(self) -> None:
        try:
            collections = await self.app.api.collections()
        except LocalChatError as exc:
            status = Content.assemble(("✗ ", "$text-error"), readable(exc))
            self.query_one("#collections-status", Static).update(status)
            return
        choices = [*collections, CollectionView(ALL)]
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(Option(collection_prompt(c, self.active), id=c.name) for c in choices)
        names = [c.name for c in choices]
        listing.highlighted = names.index(self.active) if self.active in names else 0

    @on(OptionList.OptionSelected, "#collections-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)
