"""Explain my answer: an answer's numbered sources, the whole passage, and why it was retrieved."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from localchat.client import SourceEntry
from tui.highlight import CITED_STYLE, MARKER, highlighted_passage
from tui.sanitize import clean, one_line


def source_label(source: SourceEntry, cited: bool) -> Content:
    """Two lines: number, file, page, relevance, cited; then the start of the passage."""
    page = f" p.{source.page}" if source.page else ""
    return Content.assemble(
        (f"[{source.index}] ", "bold $text-accent"),
        one_line(source.filename, 34),
        page,
        (f"  {source.relevance:.2f}", "$text-muted"),
        ("  cited" if cited else "", "italic $text-success"),
        "\n    ",
        (one_line(source.preview or source.text or "", 70), "$text-muted"),
    )


def breakdown(source: SourceEntry) -> Content:
    """The retrieval breakdown of one source, on two short lines."""

    def rank(value: int | None) -> str:
        return f"#{value}" if value is not None else "—"

    def num(value: float | None, spec: str) -> str:
        return format(value, spec) if value is not None else "—"

    where = (
        f"page {source.page} · chunk {source.chunk_index}"
        if source.page
        else (f"chunk {source.chunk_index}")
    )
    section = f" · {one_line(source.section, 30)}" if source.section else ""
    return Content.assemble(
        ("BM25 ", "bold"),
        f"{rank(source.bm25_rank)} ({num(source.bm25_score, '.3g')})  ",
        ("vector ", "bold"),
        f"{rank(source.vector_rank)} (cosine {num(source.cosine, '.3f')})  ",
        ("fused ", "bold"),
        num(source.fused, ".4f"),
        "  ",
        ("relevance ", "bold"),
        f"{source.relevance:.2f}\n",
        (one_line(source.filename, 40), "$text-accent"),
        f" · {where}{section}",
    )


def quote_span(source: SourceEntry, shown: str) -> tuple[int, int] | None:
    """Where the source's quoted span is in the passage as shown (terminal escapes removed),
    or None when the source carries no quote (an older server) or it cannot be found."""
    quote = source.quote
    if quote is None or not quote.text:
        return None
    if shown[quote.start : quote.end] == quote.text:
        return quote.start, quote.end
    found = shown.find(clean(quote.text))
    return (found, found + len(clean(quote.text))) if found >= 0 else None


def quoted_passage(source: SourceEntry, answer: str, question: str) -> Content:
    """The passage with the server's exact quote highlighted; without a quote, the sentence
    found by word overlap with the citing sentence (highlighted_passage)."""
    text = source.text or source.preview
    content = highlighted_passage(text, answer, source.index, question)
    span = quote_span(source, clean(text))
    return content.stylize(CITED_STYLE, *span) if span is not None else content


class SourcesScreen(Screen):
    """Pushed over the chat; Esc goes back. Digits jump to a source."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back to chat"),
        *[Binding(str(n), f"pick({n})", f"Source {n}", show=False) for n in range(1, 10)],
        Binding("tab", "switch_pane", "Passage ↔ list", show=False),
    ]

    def __init__(
        self, question: str, answer: str, sources: list[SourceEntry], selected: int | None
    ):
        super().__init__()
        self.question = question
        self.answer = answer
        self.sources = sources
        self.cited = {int(n) for n in MARKER.findall(answer)}
        first = next((s.index for s in sources if s.index in self.cited), None)
        self.selected = selected or first or (sources[0].index if sources else None)

    def compose(self):
        yield Static(
            Content.assemble(("Sources for ", "bold"), one_line(self.question, 60)),
            id="sources-title",
        )
        with Vertical(id="sources-body"):
            yield OptionList(
                *[
                    Option(source_label(s, s.index in self.cited), id=str(s.index))
                    for s in self.sources
                ],
                id="source-list",
            )
            with Vertical(id="source-detail"):
                yield Static("", id="source-breakdown")
                with VerticalScroll(id="passage-scroll"):
                    yield Static("", id="passage")
        yield Footer()

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        if not self.sources:
            self.query_one("#passage", Static).update(
                Content(
                    "This answer used no passages: nothing in your library matched the question."
                )
            )
            return
        option_list.focus()
        self.action_pick(self.selected)

    def action_pick(self, index: int | None) -> None:
        ids = [s.index for s in self.sources]
        if index not in ids:
            self.notify(f"There is no source [{index}].", severity="warning", markup=False)
            return
        self.query_one(OptionList).highlighted = ids.index(index)

    @on(OptionList.OptionHighlighted)
    def _show(self, event: OptionList.OptionHighlighted) -> None:
        source = next(s for s in self.sources if str(s.index) == event.option.id)
        self.selected = source.index
        self.query_one("#source-breakdown", Static).update(breakdown(source))
        self.query_one("#passage", Static).update(
            quoted_passage(source, self.answer, self.question)
        )
        self.query_one("#passage-scroll").scroll_home(animate=False)

    @on(OptionList.OptionSelected)
    def _focus_passage(self) -> None:
        self.query_one("#passage-scroll").focus()

    def action_switch_pane(self) -> None:
        scroll = self.query_one("#passage-scroll")
        if scroll.has_focus:
            self.query_one(OptionList).focus()
        else:
            scroll.focus()
