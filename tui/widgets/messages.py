"""A question and its streamed answer (Markdown, clickable citations, a sources line)."""

from __future__ import annotations

import time
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownStream

from localchat.client import SourceEntry
from localchat.errors import LocalChatError
from tui.highlight import MARKER
from tui.readable import readable
from tui.sanitize import clean, one_line
from tui.streaming import MarkdownFeed

RENDER_EVERY_S = 0.08  # re-render streamed Markdown at most this often


class UserMessage(Static):
    """The question as the user typed it (plain text, never markup)."""

    def __init__(self, question: str) -> None:
        super().__init__(Content(clean(question)), classes="user-message")


class AnswerMessage(Vertical, can_focus=True):
    """One answer: phases are waiting → streaming → done | stopped | failed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_sources", "Open this answer's sources", show=False),
        *[Binding(str(n), f"open_sources({n})", f"Source {n}", show=False) for n in range(1, 10)],
    ]

    class OpenSources(Message):
        """The user wants this answer's sources, at `index` if a citation was followed."""

        def __init__(self, answer: AnswerMessage, index: int | None = None) -> None:
            super().__init__()
            self.answer = answer
            self.index = index

    def __init__(self, question: str, preset: str, *, text: str = "", sources=None) -> None:
        super().__init__(classes="answer")
        self.question = question
        self.preset = preset
        self.feed = MarkdownFeed(text)
        self.sources: list[SourceEntry] = list(sources or [])
        self.live = not text  # streamed now, as opposed to reopened from a saved conversation
        self.phase = "waiting" if self.live else "done"
        self.finish_reason = ""
        self.error: LocalChatError | None = None
        self._started = time.monotonic()
        self._elapsed = 0.0
        self._dirty = False
        self._stream: MarkdownStream | None = None
        self._waiting_label = "Searching your documents…"

    @property
    def text(self) -> str:
        """The answer as shown: escape sequences and control characters removed."""
        return self.feed.text

    def compose(self):
        yield Static(Content(self._waiting_label), classes="answer-status")
        saved = "" if self.live else self.feed.take({s.index for s in self.sources}, final=True)
        yield Markdown(saved, open_links=False, classes="answer-body")
        yield Static("", classes="answer-sources")

    def on_mount(self) -> None:
        self._render_state()
        self._render_footer()
        if self.live:  # the worker may already have written (or even finished) by now
            self._stream = Markdown.get_stream(self.query_one(Markdown))
            self.set_interval(RENDER_EVERY_S, self._flush)
            self._tick_timer = self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        """While nothing is written yet, show that the model is working and how to stop it."""
        if self.phase != "waiting" or not self.is_attached:
            self._tick_timer.stop()
            return
        seconds = time.monotonic() - self._started
        self.query_one(".answer-status", Static).update(
            Content.assemble(self._waiting_label, (f"  {seconds:.0f} s · esc stops", "dim"))
        )

    # -- fed by the chat screen's worker ------------------------------------------------------

    def set_sources(self, sources: list[SourceEntry]) -> None:
        self.sources = sources
        label = f"Reading {len(sources)} passages and writing…" if sources else "Writing…"
        self._waiting_label = label
        self.query_one(".answer-status", Static).update(Content(label))

    def append(self, delta: str) -> None:
        self.phase = "streaming"
        self.feed.feed(delta)
        self._dirty = True

    def finish(self, reason: str) -> None:
        """The stream ended (or was stopped); the last text is drawn on the next tick."""
        self.finish_reason = reason
        self.phase = "stopped" if reason == "cancelled" else "done"
        self._elapsed = time.monotonic() - self._started
        self._dirty = True

    def fail(self, error: LocalChatError) -> None:
        self.error = error
        self.phase = "failed"
        self._elapsed = time.monotonic() - self._started
        self._dirty = True

    # -- rendering ----------------------------------------------------------------------------

    async def _flush(self) -> None:
        """Append what arrived since the last tick; at the end, the held-back tail too."""
        if not self._dirty or not self.is_attached or self._stream is None:
            return
        self._dirty = False
        final = self.phase in ("done", "stopped", "failed")
        fragment = self.feed.take({s.index for s in self.sources}, final=final)
        if fragment:
            await self._stream.write(fragment)
        self._render_state()
        self._render_footer()
        if final:
            stream, self._stream = self._stream, None
            await stream.stop()

    def _render_state(self) -> None:
        self.set_class(self.phase == "waiting", "-waiting")
        self.set_class(self.phase == "failed", "-failed")
        status = self.query_one(".answer-status", Static)
        status.display = self.phase in ("waiting", "failed") or (
            self.phase == "streaming" and not self.text
        )
        if self.phase == "failed" and self.error is not None:
            status.update(Content.assemble(("✗ ", "$error"), readable(self.error)))

    def _render_footer(self) -> None:
        footer = self.query_one(".answer-sources", Static)
        if self.phase in ("waiting", "streaming", "failed") and not self.sources:
            footer.display = False
            return
        footer.display = True
        cited = [int(n) for n in dict.fromkeys(MARKER.findall(self.text))]
        shown = [s for s in self.sources if s.index in cited] or self.sources[:3]
        parts: list[tuple[str, str] | str] = []
        if self.phase == "stopped":
            parts.append(("stopped · ", "$warning"))
        if not self.sources:
            parts.append(("no matching passages in your library", "italic"))
        by_file: dict[str, list[SourceEntry]] = {}
        for source in shown:  # one file name per group: sources often share a document
            by_file.setdefault(source.filename, []).append(source)
        for filename, group in by_file.items():
            parts.append(f"{one_line(filename, 32)}: ")
            for source in group:
                page = f" p.{source.page}" if source.page else ""
                parts += [
                    (f"[{source.index}]", "bold $text-accent"),
                    f"{page} ",
                    (f"{source.relevance:.2f}  ", "dim"),
                ]
        extra = len(self.sources) - len(shown)
        if extra > 0:
            parts.append((f"+{extra} more  ", "dim"))
        if self.sources:
            parts.append(("ctrl+s explain", "dim italic"))
        footer.update(Content.assemble(*parts))

    # -- following citations ------------------------------------------------------------------

    @on(Markdown.LinkClicked)
    def _link(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        if event.href.startswith("source:") and event.href[7:].isdigit():
            self.post_message(self.OpenSources(self, int(event.href[7:])))

    def action_open_sources(self, index: int | None = None) -> None:
        if index is not None and index not in {s.index for s in self.sources}:
            self.notify(f"This answer has no source [{index}].", severity="warning", markup=False)
            return
        self.post_message(self.OpenSources(self, index))

    def on_click(self) -> None:
        self.focus()

    @property
    def elapsed(self) -> float:
        return self._elapsed
