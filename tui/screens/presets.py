"""Presets: pick fast / balanced / accurate, tune the four numbers, see what re-indexes."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.validation import Integer, Number
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Static

from localchat.client import Job, RagConfigView
from localchat.config import PRESETS
from localchat.errors import LocalChatError
from tui.ingest import follow
from tui.readable import readable
from tui.widgets.job_card import JobCard
from tui.widgets.status_bar import StatusBar

PRESET_NOTES = {
    "fast": "Small passages, few of them: quickest answers, best for short factual questions.",
    "balanced": "The default: medium passages, a good mix of precision and context.",
    "accurate": "Large passages and more of them: slower, for questions that need context.",
}
FIELDS = {
    "chunk_size": (
        Integer(64, 16384),
        "Characters per passage (64–16384). Bigger gives more context per source. Re-indexes.",
    ),
    "chunk_overlap": (
        Integer(0, 8192),
        "Characters neighbouring passages share, so no sentence is cut off (≤ half of "
        "chunk_size). Re-indexes.",
    ),
    "top_k": (Integer(1, 200), "Passages retrieval keeps per question (1–200). Applies at once."),
    "min_similarity": (
        Number(-1.0, 1.0),
        "Drop passages whose meaning is further than this cosine from the question (−1 to 1). "
        "Applies at once.",
    ),
}
RECHUNK = ("chunk_size", "chunk_overlap")


class PresetsScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply"),
        # Short footer labels so F1-F4 fit at 80 columns; the help shows the tooltips.
        Binding("ctrl+r", "reset", "Reset to preset", show=False),  # its button names the key
        Binding("c", "compare", "Compare", tooltip="Compare presets"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.current: RagConfigView | None = None

    def compose(self):
        yield StatusBar("Presets", id="status-bar")
        with RadioSet(id="preset-choice"):
            for name in PRESETS:
                yield RadioButton(name, id=f"preset-{name}")
        yield Static("", id="preset-note")
        with Vertical(id="preset-fields"):
            for name, (validator, note) in FIELDS.items():
                with Horizontal(classes="preset-field"):
                    yield Label(name, classes="field-name")
                    yield Input(
                        id=name, validators=[validator], compact=True, classes="field-input"
                    )
                    yield Static(Content(note), classes="field-note")
        yield Static("", id="preset-message")
        with Horizontal(id="preset-buttons"):
            yield Button("Apply (ctrl+s)", id="apply", variant="primary", compact=True)
            yield Button("Reset to preset (ctrl+r)", id="reset", compact=True)
            yield Button("Compare presets (c)", id="compare", compact=True)
        yield Vertical(id="preset-job")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(exclusive=True, group="presets-load", exit_on_error=False)
    async def load(self) -> None:
        try:
            config = await self.app.api.rag_config()
        except LocalChatError as exc:
            self.app.note_error(exc)
            return
        self.current = config
        self._show(config.preset, config)
        following = self.query("#preset-job JobCard")
        if config.rechunk_job and not following:
            self.watch_job(config.rechunk_job)

    @work(exclusive=True, group="presets-job", exit_on_error=False)
    async def watch_job(self, job_id: str, job: Job | None = None) -> Job | None:
        """Show a re-index job (started here or elsewhere, e.g. from the palette) to its end."""
        box = self.query_one("#preset-job", Vertical)
        await box.remove_children()
        card = JobCard("Re-indexing with the new passage size", job)
        await box.mount(card)
        try:
            job = job or await self.app.api.job(job_id)
            final = await follow(self.app.api, [job], card)
        except LocalChatError as exc:
            self.app.note_error(exc)
            return None
        style = "$text-success" if final.status == "done" else "$text-warning"
        self._say(f"Re-index {final.status}: {JobCard.detail(final)}", style)
        return final

    def _show(self, preset: str, values) -> None:
        with self.prevent(RadioSet.Changed):
            button = self.query_one(f"#preset-{preset}", RadioButton)
            button.value = True
        self.query_one("#preset-note", Static).update(Content(PRESET_NOTES.get(preset, "")))
        for name in FIELDS:
            self.query_one(f"#{name}", Input).value = str(getattr(values, name))
        self.query_one("#preset-message", Static).update("")

    @on(RadioSet.Changed)
    def _preset_changed(self, event: RadioSet.Changed) -> None:
        name = str(event.pressed.label)
        self._show(name, PRESETS[name])
        self._say("Press ctrl+s to apply the preset.", "")

    def _chosen_preset(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return str(pressed.label) if pressed is not None else "balanced"

    def _say(self, text: str, style: str) -> None:
        self.query_one("#preset-message", Static).update(Content.styled(text, style))

    def _values(self) -> dict | None:
        values: dict = {}
        for name, (validator, _) in FIELDS.items():
            field = self.query_one(f"#{name}", Input)
            result = validator.validate(field.value.strip())
            if not result.is_valid:
                self._say(f"{name}: {'; '.join(result.failure_descriptions)}", "$text-error")
                field.focus()
                return None
            values[name] = float(field.value) if name == "min_similarity" else int(field.value)
        if values["chunk_overlap"] > values["chunk_size"] // 2:
            self._say("chunk_overlap must be at most half of chunk_size.", "$text-error")
            self.query_one("#chunk_overlap", Input).focus()
            return None
        return values

    @on(Button.Pressed, "#apply")
    def _apply_button(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#reset")
    def action_reset(self) -> None:
        preset = self._chosen_preset()
        self._show(preset, PRESETS[preset])

    @on(Button.Pressed, "#compare")
    def action_compare(self) -> None:
        from tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen())

    @work(exclusive=True, group="presets-apply", exit_on_error=False)
    async def action_apply(self) -> None:
        values = self._values()
        if values is None:
            return
        changes = {"preset": self._chosen_preset(), **values}
        before = self.current
        try:
            config, job = await self.app.api.set_rag_config(changes)
        except LocalChatError as exc:
            self._say(readable(exc), "$text-error")
            return
        self.current = config
        self.app.set_preset(config.preset)
        rechunk = before is None or any(getattr(before, f) != getattr(config, f) for f in RECHUNK)
        if job is None:
            note = "re-indexing in the background" if rechunk else "no re-index needed"
            self._say(
                f"Applied {config.preset}: {note}; new questions use it now.", "$text-success"
            )
            return
        self._say(
            "Applied. chunk_size/chunk_overlap changed, so documents are re-indexed in the "
            "background; the old passages keep answering until it finishes.",
            "$text-warning",
        )
        self.watch_job(job.id, job)
