"""Browse the file system in a tree and pick a file or a folder to ingest."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Footer, Static

from tui.sanitize import one_line


class QuietDirectoryTree(DirectoryTree):
    """Hides dot-files: they are rarely documents and crowd the tree."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".")]


class PickerScreen(ModalScreen[Path | None]):
    """Dismisses with the chosen path (file or folder), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("space", "choose", "Choose this", priority=True),  # over the tree's toggle
        Binding("backspace", "up", "Parent folder"),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start if start.is_dir() else Path.home()
        self.chosen: Path = self.start

    def compose(self):
        with Vertical(id="picker-box"):
            yield Static(Content.assemble(("Choose a file or folder", "bold")), id="picker-title")
            yield QuietDirectoryTree(self.start, id="picker-tree")
            yield Static("", id="picker-choice")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Parent folder", id="up")
                yield Button("Add this (space)", id="choose", variant="primary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show_choice(self.start)
        self.query_one(DirectoryTree).focus()

    def _show_choice(self, path: Path) -> None:
        self.chosen = path
        kind = "folder" if path.is_dir() else "file"
        self.query_one("#picker-choice", Static).update(
            Content.assemble(f"Selected {kind}: ", (one_line(str(path), 60), "bold"))
        )

    @on(DirectoryTree.NodeHighlighted)
    def _highlighted(self, event: DirectoryTree.NodeHighlighted) -> None:
        if event.node.data is not None:
            self._show_choice(Path(event.node.data.path))

    @on(DirectoryTree.FileSelected)
    def _file(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(Path(event.path))

    def action_choose(self) -> None:
        self.dismiss(self.chosen)

    def action_up(self) -> None:
        tree = self.query_one(DirectoryTree)
        parent = Path(tree.path).resolve().parent
        tree.path = parent
        self._show_choice(parent)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        if event.button.id == "choose":
            self.action_choose()
        elif event.button.id == "up":
            self.action_up()
        else:
            self.dismiss(None)
