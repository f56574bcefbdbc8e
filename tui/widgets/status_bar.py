"""The one-line bar at the top of every main screen: where you are and what answers you."""

from __future__ import annotations

import msgspec
from textual.content import Content
from textual.widgets import Static

from tui.sanitize import one_line


class AppStatus(msgspec.Struct, frozen=True):
    """What the status bar shows; the app replaces it whole so watchers fire once."""

    connected: bool = False
    preset: str = ""
    model: str = ""
    documents: int = 0
    server: str = ""
    collection: str = "default"  # what the chat answers from and the library adds to


class StatusBar(Static):
    """`LocalChat · Chat │ preset balanced │ model … │ in default │ 12 documents │ ● …`."""

    def __init__(self, place: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.place = place

    def on_mount(self) -> None:
        self.watch(self.app, "status", self.show, init=True)

    def show(self, status: AppStatus) -> None:
        self.status = status
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if not hasattr(self, "status"):
            return
        if not self.size.width:  # not laid out yet: draw once the width is known
            self.call_after_refresh(self._redraw)
            return
        self.update(self._line(self.status, level=0))

    def _line(self, status: AppStatus, level: int) -> Content:
        """The full line (level 0), or a shorter one (1, 2) when that does not fit: labels
        go first, then the model name shrinks and the default collection goes unsaid."""
        short = level > 0
        dot = ("● ", "$success") if status.connected else ("○ ", "$error")
        parts: list[tuple[str, str] | str] = [("LocalChat", "bold"), f" · {self.place} "]
        if status.preset:
            parts += ["│ " if short else "│ preset ", (status.preset, "bold $text-accent"), " "]
        if status.model:
            model = one_line(status.model, (28, 12, 8)[level])
            parts += ["│ " if short else "│ model ", (model, "bold"), " "]
        if status.collection and not (level == 2 and status.collection == "default"):
            parts += ["│ in ", (one_line(status.collection, 12 if short else 24), "bold"), " "]
        if status.connected:
            noun = "doc" if short else "document"
            parts += [f"│ {status.documents} {noun}{'' if status.documents == 1 else 's'} "]
        where = "online" if short else status.server
        parts += ["│ ", dot, (where if status.connected else "offline")]
        line = Content.assemble(*parts)
        if level < 2 and line.cell_length > self.size.width:
            return self._line(status, level=level + 1)
        return line
