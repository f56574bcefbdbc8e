"""Library: the ingested documents, grouped by collection; add files or folders (into the
active collection) with progress; delete; re-ingest.

This module holds the screen and its actions; the table's rows and cell formats are
library_table.py."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Static

from localchat.client import DocumentView
from localchat.errors import LocalChatError
from tui.ingest import ingest, sample_docs_dir
from tui.sanitize import one_line
from tui.screens.dialogs import ConfirmScreen
from tui.screens.library_table import COLUMNS, fill_table, name_cells
from tui.screens.picker import PickerScreen
from tui.widgets.job_card import JobCard
from tui.widgets.path_input import PathInput
from tui.widgets.status_bar import StatusBar

EMPTY = (
    "Your library is empty. Type the path of a file or folder above (Tab completes) and press "
    "Enter, or choose one with Browse…. PDF, Word, PowerPoint, Excel/CSV, EPUB, Markdown, "
    "HTML and text files work."
)


class LibraryScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Not in the footer, so F1-F4 fit at 80 columns: the Add button and help show these.
        Binding("slash", "focus_path", "Add path", show=False),
        Binding("b", "browse", "Browse"),
        Binding("d,delete", "delete", "Delete"),
        Binding("r", "reingest", "Re-ingest"),
        Binding("s", "sample", "Sample docs", show=False),
        Binding("f5", "reload", "Refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.documents: list[DocumentView] = []
        self._rows: list[DocumentView | None] = []  # per table row; None for a collection heading
        self._first_fill = True

    def compose(self):
        yield StatusBar("Library", id="status-bar")
        with Horizontal(id="add-row"):
            yield PathInput(
                placeholder="File or folder to add (Tab completes, Enter adds)", id="path"
            )
            yield Button("Browse…", id="browse")
            yield Button("Add", id="add", variant="primary")
        table = DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        with Vertical(id="library-empty"):
            yield Static(Content(EMPTY))
            if sample_docs_dir() is not None:
                yield Button("Try it on LocalChat's own docs", id="sample", variant="success")
        yield VerticalScroll(id="jobs")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#jobs").display = False
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- the list -------------------------------------------------------------------------------

    @work(exclusive=True, group="library-load", exit_on_error=False)
    async def reload(self) -> None:
        try:
            self.documents = await self.app.api.documents()
        except LocalChatError as exc:
            self.app.note_error(exc)
            return
        self._fill(self.documents)
        self.app.set_document_count(len(self.documents))

    def on_resize(self) -> None:
        if self.documents:
            self._fill(self.documents)  # the name column follows the width

    def _fill(self, documents: list[DocumentView]) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        width = name_cells(self.size.width)
        self._rows = fill_table(table, documents, width, self.app.status.collection)
        if self._rows:
            table.move_cursor(row=min(keep, len(self._rows) - 1))
        self.query_one("#library-empty").display = not documents
        table.display = bool(documents)
        if self._first_fill:
            # With documents, start on the list so d/r/b work at once; else on the path box.
            self._first_fill = False
            (table if documents else self.query_one(PathInput)).focus()

    def _selected(self) -> DocumentView | None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        doc = self._rows[row] if 0 <= row < len(self._rows) else None
        if doc is None:
            self.notify("Select a document in the list first.", severity="warning")
        return doc

    def action_reload(self) -> None:
        self.reload()

    # -- adding ---------------------------------------------------------------------------------

    def action_focus_path(self) -> None:
        self.query_one(PathInput).focus()

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#add")
    def _add_typed(self) -> None:
        path_input = self.query_one(PathInput)
        raw = path_input.value.strip()
        if not raw:
            self.notify("Type a path first, or press Browse.", severity="warning")
            return
        path_input.value = ""
        self.add_paths([raw])

    @on(Button.Pressed, "#browse")
    def _browse_button(self) -> None:
        self.action_browse()

    @on(Button.Pressed, "#sample")
    def _sample_button(self) -> None:
        self.action_sample()

    @work(exit_on_error=False)
    async def action_browse(self) -> None:
        typed = Path(self.query_one(PathInput).value.strip() or Path.cwd()).expanduser()
        chosen = await self.app.push_screen_wait(
            PickerScreen(typed if typed.is_dir() else Path.cwd())
        )
        if chosen is not None:
            self.add_paths([str(chosen)])

    def action_sample(self) -> None:
        folder = sample_docs_dir()
        if folder is None:
            self.notify("The sample documents (LocalChat's docs/ folder) are not installed here.")
            return
        self.add_paths([str(folder)], title="LocalChat documentation (sample)")

    def add_paths(
        self,
        paths: list[str],
        title: str = "",
        replaces: DocumentView | None = None,
        collection: str | None = None,
    ) -> None:
        jobs = self.query_one("#jobs", VerticalScroll)
        jobs.display = True
        collection = collection or self._target_collection()
        into = "" if collection == "default" else f" to {collection}"
        card = JobCard(title or "Adding " + ", ".join(Path(p).name or p for p in paths) + into)
        jobs.mount(card)
        jobs.scroll_end(animate=False)
        self._run_job(paths, card, replaces, collection)

    def _target_collection(self) -> str:
        """New documents go to the active collection ("all" is no collection: "default")."""
        active = self.app.status.collection or "default"
        return "default" if active == "all" else active

    @work(group="ingest", exit_on_error=False)
    async def _run_job(
        self, paths: list[str], card: JobCard, replaces: DocumentView | None, collection: str
    ) -> None:
        try:
            job = await ingest(
                self.app.api, paths, card, self.app.prefs.origins, collection=collection
            )
            if replaces is not None and job.added == 1 and not job.failed:
                # Read again as an upload, the file became a new document: drop the old one.
                await self.app.api.delete_document(replaces.id)
        except LocalChatError as exc:
            self._drop_card(card)
            self.app.note_error(exc)
            return
        self.reload()
        added = job.added + job.replaced
        severity = "warning" if job.failed or job.status != "done" else "information"
        self.notify(
            f"{card.title}: {job.status} — {JobCard.detail(job)}", severity=severity, markup=False
        )
        if added and not job.failed:
            self.set_timer(8, lambda: self._drop_card(card))  # clean: keep the list short

    def _drop_card(self, card: JobCard) -> None:
        jobs = self.query_one("#jobs", VerticalScroll)
        card.remove()
        jobs.display = any(c is not card for c in jobs.query(JobCard))

    # -- changing ------------------------------------------------------------------------------

    @work(exit_on_error=False)
    async def action_delete(self) -> None:
        doc = self._selected()
        if doc is None:
            return
        name = one_line(doc.filename or doc.path, 50)
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen(
                f"Delete “{name}” from the library?",
                f"Its {doc.chunk_count} passages leave the index. The file on disk is not touched.",
            )
        )
        if not confirmed:
            return
        try:
            await self.app.api.delete_document(doc.id)
        except LocalChatError as exc:
            self.app.note_error(exc)
            return
        self.notify(f"Deleted {name}", markup=False)
        self.reload()

    def action_reingest(self) -> None:
        doc = self._selected()
        if doc is None:
            return
        source = self.app.prefs.origins.get(doc.filename) if self._uploaded(doc) else doc.path
        if not source or not Path(source).exists():
            self.notify(
                f"{one_line(doc.filename, 40)} is no longer where it was read from, so it "
                "cannot be read again: add the file from its new place.",
                severity="warning",
                markup=False,
            )
            return
        # Read again into a collection it is in, so re-reading never adds it to another.
        home = doc.collections[0] if doc.collections else None
        title = f"Re-ingesting {one_line(doc.filename, 40)}"
        self.add_paths([source], title=title, replaces=doc, collection=home)

    def _uploaded(self, doc: DocumentView) -> bool:
        uploads = self.app.settings.data_path / "uploads"
        return Path(doc.path).parent == uploads
