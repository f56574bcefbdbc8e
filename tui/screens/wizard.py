"""First run: what LocalChat is, which models it found, add documents, ask a first question."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from localchat.errors import LocalChatError
from tui.ingest import ingest, sample_docs_dir
from tui.readable import readable
from tui.sanitize import one_line
from tui.screens.models import model_prompt
from tui.screens.picker import PickerScreen
from tui.widgets.job_card import JobCard
from tui.widgets.path_input import PathInput

STEPS = ("welcome", "models", "documents", "question")
WELCOME = (
    "LocalChat answers questions from your own documents — PDFs, Office files, e-books, "
    "Markdown, HTML, text — with "
    "numbered citations you can open to check. Everything runs on this computer: the models, "
    "the index and your files never leave it.\n\n"
    "Three short steps: check the models, add some documents, ask a first question. "
    "Esc skips the wizard at any time (reopen it from the command palette, ctrl+p)."
)
MODELS_HELP = (
    "Models already on this computer (Ollama, LM Studio, the Hugging Face cache, servers on "
    "their usual ports) are listed below: pick one with Enter to answer with it (F6 changes "
    "it later). `localchat models` lists them too; `localchat doctor` checks everything."
)
SAMPLE_QUESTION = "How do I use LocalChat from an editor or the openai SDK?"
OWN_QUESTION = "What are these documents about?"


def model_lines(models: list[str], deep: dict[str, Any]) -> Content:
    """The answer and embedding models the server uses, and its health report."""
    own = [m for m in models if not m.startswith("localchat")]
    answer, embedding = [*own, "?", "?"][:2]
    lines = [
        Content.assemble(("Answers: ", "bold"), one_line(answer, 60)),
        Content.assemble(("Search:  ", "bold"), one_line(embedding, 60)),
    ]
    components = deep.get("components", deep.get("checks", deep))
    items = components.items() if isinstance(components, dict) else enumerate(components or [])
    for key, value in items:
        name = value.get("name", key) if isinstance(value, dict) else key
        info = value if isinstance(value, dict) else {"status": value}
        ok = info.get("ok", info.get("status") in ("ok", "ready", "pass", True))
        detail = info.get("detail") or info.get("message") or info.get("status")
        lines.append(
            Content.assemble(
                ("✓ " if ok else "✗ ", "$text-success" if ok else "$text-error"),
                (one_line(str(name), 24), "bold"),
                "  ",
                one_line(str(detail if detail is not None else ""), 60),
            )
        )
    return Content("\n").join(lines)


class WizardScreen(Screen[str | None]):
    """Dismisses with a first question to ask, or None when skipped."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "skip", "Skip wizard")]

    def __init__(self) -> None:
        super().__init__()
        self.step = 0
        self.sample = sample_docs_dir()
        self.ingested = False
        self._used_sample = False
        self._warned_empty = False

    def compose(self):
        yield Static("", id="wizard-steps")
        with ContentSwitcher(initial="welcome", id="wizard-pages"):
            with VerticalScroll(id="welcome"):
                yield Static(Content.styled("Welcome to LocalChat", "bold $text-accent"))
                yield Static(Content(WELCOME))
            with VerticalScroll(id="models"):
                yield Static(Content.styled("Models", "bold $text-accent"))
                yield Static(Content("Asking the server…"), id="models-found")
                yield Static(Content(MODELS_HELP), classes="wizard-help")
                yield OptionList(id="wizard-models")
            with VerticalScroll(id="documents"):
                yield Static(Content.styled("Add documents", "bold $text-accent"))
                yield Static(self._documents_text(), id="documents-help")
                with Horizontal(classes="wizard-row"):
                    yield Button(
                        "Add the sample docs",
                        id="sample",
                        variant="primary",
                        disabled=self.sample is None,
                    )
                    yield Button("Browse…", id="browse")
                yield PathInput(
                    placeholder="…or type a file or folder path and press Enter",
                    id="wizard-path",
                    select_on_focus=False,  # typing that moved the focus here must not be lost
                )
                yield Vertical(id="wizard-job")
            with VerticalScroll(id="question"):
                yield Static(Content.styled("Ask a first question", "bold $text-accent"))
                yield Static(
                    Content(
                        "Type a question (or keep the suggestion) and press Enter. The answer "
                        "streams in; its citations [1], [2] open the passages they come from."
                    )
                )
                yield Input(id="first-question")
        with Horizontal(id="wizard-nav"):
            yield Button("Skip (Esc)", id="skip")
            yield Button("Back", id="back")
            yield Button("Next", id="next", variant="primary")
        yield Footer(compact=True, show_command_palette=False)  # room for F1-F4 and F6

    def _documents_text(self) -> Content:
        sample = (
            f"The sample is LocalChat's own documentation ({self.sample}): ask LocalChat about "
            "LocalChat."
            if self.sample
            else "(The sample documentation is not installed here.)"
        )
        return Content(f"Add a folder of your documents, or try the sample first. {sample}")

    def on_mount(self) -> None:
        self._go(0)
        self._load_models()

    # -- navigation ---------------------------------------------------------------------------

    def _go(self, step: int) -> None:
        self.step = max(0, min(len(STEPS) - 1, step))
        name = STEPS[self.step]
        self.query_one(ContentSwitcher).current = name
        marks = [
            (f" {n + 1}. {title} ", "bold reverse" if n == self.step else "$text-muted")
            for n, title in enumerate(("Welcome", "Models", "Documents", "Question"))
        ]
        self.query_one("#wizard-steps", Static).update(Content.assemble(*marks))
        self.query_one("#back", Button).disabled = self.step == 0
        self.query_one("#next", Button).label = "Ask" if name == "question" else "Next"
        if name == "question":
            field = self.query_one("#first-question", Input)
            field.value = field.value or (SAMPLE_QUESTION if self._used_sample else OWN_QUESTION)
            field.focus()
        elif name == "documents":
            # The path box, not a button: typed text must land there and Enter must add it.
            self.query_one("#wizard-path", PathInput).focus()
        else:
            self.query_one("#next", Button).focus()

    def on_key(self, event: events.Key) -> None:
        """On the Documents step, typing while a button has the focus goes to the path box."""
        if STEPS[self.step] != "documents" or isinstance(self.focused, Input):
            return
        if event.is_printable and event.character and event.key != "space":
            event.stop()
            event.prevent_default()
            path = self.query_one("#wizard-path", PathInput)
            path.focus()
            path.insert_text_at_cursor(event.character)

    @on(Button.Pressed, "#next")
    def _next(self) -> None:
        step = STEPS[self.step]
        if step == "question":
            self._finish()
            return
        if step == "documents" and self.app.status.documents == 0 and not self._warned_empty:
            self._warned_empty = True  # a reminder, not a wall: Next again goes on
            self.notify(
                "The library is still empty, so answers will have nothing to cite. "
                "Add documents, or press Next again to go on anyway."
            )
            return
        self._go(self.step + 1)

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self._go(self.step - 1)

    @on(Button.Pressed, "#skip")
    def action_skip(self) -> None:
        self.app.prefs.onboarded = True
        self.dismiss(None)

    @on(Input.Submitted, "#first-question")
    def _finish(self) -> None:
        question = self.query_one("#first-question", Input).value.strip()
        if not question:
            self.notify("Type a question first.", severity="warning")
            return
        self.app.prefs.onboarded = True
        self.dismiss(question)

    # -- models ---------------------------------------------------------------------------------

    @work(exit_on_error=False)
    async def _load_models(self) -> None:
        api = self.app.api
        try:
            models = [m.id for m in await api.models()]
            deep = await api.health("deep")
        except LocalChatError as exc:
            text = Content.assemble(("✗ ", "$text-error"), readable(exc))
        else:
            text = model_lines(models, deep if isinstance(deep, dict) else {})
        self.query_one("#models-found", Static).update(text)
        await self._offer_models()

    async def _offer_models(self) -> None:
        """Every chat model discovery found, each with its one-line speed and quality note."""
        try:
            view = await self.app.api.local_models()
        except LocalChatError:
            return  # the health lines above already say what is wrong
        chat = [m for m in view.models if m.kind == "chat"]
        listing = self.query_one("#wizard-models", OptionList)
        listing.clear_options()
        listing.add_options(Option(model_prompt(n, m), id=m.name) for n, m in enumerate(chat, 1))

    @on(OptionList.OptionSelected, "#wizard-models")
    @work(exclusive=True, group="wizard-model", exit_on_error=False)
    async def _choose_model(self, event: OptionList.OptionSelected) -> None:
        try:
            result = await self.app.api.use_model(str(event.option.id))
        except LocalChatError as exc:
            self.app.note_error(exc)
            return
        self.app.model_switched(result.chat_model)
        await self._offer_models()
        self.query_one("#next", Button).focus()

    # -- documents ------------------------------------------------------------------------------

    @on(Button.Pressed, "#sample")
    def _sample(self) -> None:
        if self.sample is not None:
            self._used_sample = True
            self.add(str(self.sample), "LocalChat documentation (sample)")

    @on(Button.Pressed, "#browse")
    @work(exit_on_error=False)
    async def _browse(self) -> None:
        chosen = await self.app.push_screen_wait(PickerScreen(Path.home()))
        if chosen is not None:
            self.add(str(chosen), f"Adding {chosen.name}")

    @on(Input.Submitted, "#wizard-path")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.add(event.value.strip(), f"Adding {Path(event.value.strip()).name}")

    @work(exclusive=True, group="wizard-ingest", exit_on_error=False)
    async def add(self, path: str, title: str) -> None:
        box = self.query_one("#wizard-job", Vertical)
        await box.remove_children()
        card = JobCard(title)
        await box.mount(card)
        try:
            job = await ingest(self.app.api, [path], card, self.app.prefs.origins)
        except LocalChatError as exc:
            await card.remove()
            self.app.note_error(exc)
            return
        await self.app.refresh_status()
        if job.added + job.replaced + job.unchanged > 0:
            self.ingested = True
            self.notify("Documents added. Press Next to ask a question.")
            self.query_one("#next", Button).focus()
        else:
            self.notify("No document could be added: see the reasons above.", severity="warning")
