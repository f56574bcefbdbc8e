"""Saved conversations: open, rename, delete (with confirmation), export to Markdown."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from localchat.errors import LocalChatError
from tui.history import ConversationSummary, export_path
from tui.readable import readable
from tui.sanitize import one_line
from tui.screens.dialogs import ConfirmScreen, TextPromptScreen


def _when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


class ConversationsScreen(ModalScreen[int | None]):
    """Dismisses with the id of the conversation to open, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("r", "rename", "Rename"),
        Binding("d,delete", "delete", "Delete"),
        Binding("e", "export", "Export .md"),
        Binding("n", "new", "New"),
    ]

    def compose(self):
        with Vertical(id="conversations-box"):
            yield Static(Content.assemble(("Conversations", "bold")), id="conversations-title")
            yield OptionList(id="conversation-list")
            yield Static(
                Content(
                    "Enter opens · r rename · d delete · e export to Markdown · n new · Esc close"
                ),
                id="conversations-hint",
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()

    @property
    def store(self):
        return self.app.conversations

    def reload(self, keep: int | None = None) -> None:
        option_list = self.query_one(OptionList)
        self.items: list[ConversationSummary] = self.store.list()
        option_list.clear_options()
        for item in self.items:
            option_list.add_option(
                Option(
                    Content.assemble(
                        one_line(item.title, 48),
                        (
                            f"  {item.messages // 2 or 1} Q · {_when(item.updated_at)}",
                            "$text-muted",
                        ),
                    ),
                    id=str(item.id),
                )
            )
        if not self.items:
            option_list.add_option(Option(Content("No saved conversations yet."), disabled=True))
        ids = [item.id for item in self.items]
        option_list.highlighted = ids.index(keep) if keep in ids else (0 if ids else None)
        option_list.focus()

    def _current(self) -> ConversationSummary | None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.items):
            self.notify("Pick a conversation first.", severity="warning")
            return None
        return self.items[index]

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(int(event.option.id))

    def action_new(self) -> None:
        self.dismiss(0)

    @work(exit_on_error=False)
    async def action_rename(self) -> None:
        item = self._current()
        if item is None:
            return
        title = await self.app.push_screen_wait(
            TextPromptScreen("Rename conversation", item.title, action="Rename")
        )
        if title:
            self.store.rename(item.id, title)
            self.reload(keep=item.id)

    @work(exit_on_error=False)
    async def action_delete(self) -> None:
        item = self._current()
        if item is None:
            return
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen(f"Delete “{one_line(item.title, 50)}”?", "This cannot be undone.")
        )
        if confirmed:
            self.store.delete(item.id)
            self.notify("Conversation deleted.")
            self.reload()

    @work(exit_on_error=False)
    async def action_export(self) -> None:
        item = self._current()
        if item is None:
            return
        await export_conversation(self, item.id)


async def export_conversation(node, conversation_id: int) -> Path | None:
    """Ask where to write the Markdown (default: the current folder) and write it."""
    app = node.app
    conversation = app.conversations.get(conversation_id)
    default = export_path(Path.cwd(), conversation)
    answer = await app.push_screen_wait(
        TextPromptScreen("Export to Markdown file", str(default), action="Export")
    )
    if not answer:
        return None
    target = Path(answer).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(app.conversations.export_markdown(conversation_id), encoding="utf-8")
    except OSError as exc:
        app.notify(
            f"Could not write {target}: {exc.strerror or exc}. Choose a folder you can write to.",
            severity="error",
            markup=False,
        )
        return None
    except LocalChatError as exc:
        app.notify(readable(exc), severity="error", markup=False)
        return None
    app.notify(f"Saved {target}", markup=False)
    return target
