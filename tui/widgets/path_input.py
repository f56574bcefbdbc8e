"""A path box that completes file and folder names (Tab or → accepts the completion)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input


class PathSuggester(Suggester):
    """Suggests the first entry of the typed folder whose name starts with the typed part."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value)


def complete_path(value: str) -> str | None:
    if not value:
        return None
    expanded = os.path.expanduser(value)
    folder, _, prefix = expanded.rpartition(os.sep)
    folder = folder or (os.sep if expanded.startswith(os.sep) else ".")
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    hidden = prefix.startswith(".")
    for name in names:
        if name.startswith(prefix) and name != prefix and (hidden or not name.startswith(".")):
            rest = name[len(prefix) :]
            slash = os.sep if Path(folder, name).is_dir() else ""
            return value + rest + slash
    return None


class PathInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete path", show=False)
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(suggester=PathSuggester(), **kwargs)

    def action_complete(self) -> None:
        if self._suggestion and self._suggestion != self.value:
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()
