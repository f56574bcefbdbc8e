"""Try one question under two presets side by side (retrieval only, so it is quick)."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Select, Static

from localchat.client import RagConfigView, SourceEntry
from localchat.config import PRESETS
from localchat.errors import LocalChatError
from tui.sanitize import one_line

SHOWN = 8


def hit_lines(hits: list[SourceEntry]) -> Content:
    if not hits:
        return Content("No passage passed this preset's filters.")
    lines = []
    for hit in hits[:SHOWN]:
        page = f" p.{hit.page}" if hit.page else ""
        lines.append(
            Content.assemble(
                (f"{hit.index:>2}. ", "bold"),
                (one_line(hit.filename, 26) + page, "$text-accent"),
                (f"  {hit.relevance:.2f}\n", "$text-muted"),
                ("    " + one_line(hit.preview or hit.text or "", 100), ""),
            )
        )
    more = len(hits) - SHOWN
    if more > 0:
        lines.append(Content.styled(f"… and {more} more", "$text-muted"))
    return Content("\n").join(lines)


def layout_note(
    config: RagConfigView, presets: list[str], results: list[list[SourceEntry]]
) -> Content:
    """What the comparison can show: the library holds one chunk layout, so presets that differ
    in chunk size are compared on the same passages; identical lists are said to be so."""
    sizes = {(PRESETS[p].chunk_size, PRESETS[p].chunk_overlap) for p in presets}
    current = f"chunk_size {config.chunk_size}, overlap {config.chunk_overlap}"
    parts = []
    if len(sizes) > 1:
        parts.append(
            f"Your library has one chunk layout ({current}, from the active preset "
            f"{config.preset}), so both sides search the same passages: only top_k and "
            "min_similarity differ here. Other chunk sizes exist only after applying that "
            "preset (ctrl+s on Presets re-indexes)."
        )
    left, right = ([(h.document_id, h.chunk_index) for h in hits] for hits in results)
    if left == right:
        same = "Both presets return the same passages in the same order for this question."
        parts.append(same + (" Nothing to compare." if len(sizes) == 1 or not left else ""))
    return Content(" ".join(parts))


class CompareScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self):
        yield Static(
            Content.assemble(("Compare presets", "bold"), " — retrieval for one question"),
            id="compare-title",
        )
        yield Input(placeholder="A question to try (Enter runs it)", id="compare-question")
        yield Static("", id="compare-note")
        with Horizontal(id="compare-columns"):
            for side, preset in (("left", "fast"), ("right", "accurate")):
                with Vertical(classes="compare-column"):
                    yield Select(
                        [(name, name) for name in PRESETS],
                        value=preset,
                        allow_blank=False,
                        id=f"compare-{side}",
                        compact=True,
                    )
                    with VerticalScroll(classes="compare-scroll"):
                        yield Static("", id=f"compare-{side}-hits")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Select.Changed)
    def _run(self) -> None:
        question = self.query_one(Input).value.strip()
        if question:
            self.compare(question)

    @work(exclusive=True, group="compare", exit_on_error=False)
    async def compare(self, question: str) -> None:
        presets = [
            str(self.query_one(f"#compare-{side}", Select).value) for side in ("left", "right")
        ]
        for side in ("left", "right"):
            self.query_one(f"#compare-{side}-hits", Static).update(Content("Searching…"))
        try:
            config = await self.app.api.rag_config()
            results = await asyncio.gather(*(self.app.api.search(question, p) for p in presets))
        except LocalChatError as exc:
            self.app.note_error(exc)
            return
        text = layout_note(config, presets, list(results))
        note = self.query_one("#compare-note", Static)
        note.update(text)
        note.display = bool(text.plain)
        for side, hits in zip(("left", "right"), results, strict=True):
            self.query_one(f"#compare-{side}-hits", Static).update(hit_lines(hits))
