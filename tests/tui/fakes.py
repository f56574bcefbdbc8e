"""Fast TUI tests: a scripted stand-in for `LocalChatClient` and small host Apps, no network.

`FakeClient` implements the client methods the chat screen and the job card's poller call
(`chat`, `job`, `aclose`) and records what they were asked. `WidgetHost` mounts widgets with
the TUI's own style sheets; `ChatHost` runs the real ChatScreen with the attributes of
`LocalChatApp` it reads (api, prefs, conversations, status, chat_model, note_error, ...).
The end-to-end tests (a real server over uvicorn) are in the other tests/tui modules.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.reactive import reactive
from textual.widget import Widget

from localchat.client import Job, JobError, Quote, SourceEntry, StreamEvent
from localchat.errors import LocalChatError
from tui.app import STYLE_SHEETS, STYLES
from tui.history import ConversationStore
from tui.prefs import Prefs
from tui.readable import readable
from tui.screens.chat import ChatScreen
from tui.widgets.status_bar import AppStatus

__all__ = [
    "ChatHost",
    "FakeClient",
    "Quote",
    "WidgetHost",
    "answer_events",
    "file_error",
    "source",
]


def source(index: int, filename: str = "nuts.md", text: str = "", **fields) -> SourceEntry:
    """One numbered source as the server sends it (defaults: page 1, a relevance)."""
    fields = {"page": 1, "relevance": 0.9 - index / 10, "chunk_index": index} | fields
    return SourceEntry(index=index, filename=filename, text=text, preview=text[:60], **fields)


def file_error(path: str, message: str, code: str = "parse_failed") -> JobError:
    """One file's error in a job (or a file a folder walk skipped, with its reason)."""
    return JobError(path, code, message)


def answer_events(
    text: str, sources: Sequence[SourceEntry], *, pieces: int = 3
) -> list[StreamEvent]:
    """The events of one streamed answer: its sources, the text in `pieces` deltas, done."""
    step = max(1, -(-len(text) // pieces))
    deltas = [StreamEvent("delta", text=text[i : i + step]) for i in range(0, len(text), step)]
    return [
        StreamEvent("sources", sources=list(sources)),
        *deltas,
        StreamEvent("done", finish_reason="stop"),
    ]


class FakeClient:
    """Scripted answers and jobs. `replies` is a list of event lists, one per `chat` call;
    `error` is raised after `fail_after` events of a reply; `delay` paces the events."""

    base_url = "http://fake.invalid"

    def __init__(
        self,
        replies: Sequence[Sequence[StreamEvent]] = (),
        *,
        jobs: Sequence[Job] = (),
        delay: float = 0.0,
        error: LocalChatError | None = None,
        fail_after: int = 0,
    ) -> None:
        self.replies = [list(r) for r in replies]
        self.jobs = list(jobs)  # successive states returned by `job` (the last one repeats)
        self.delay = delay
        self.error = error
        self.fail_after = fail_after
        self.asked: list[list[dict[str, str]]] = []  # the messages of every chat call
        self.polled: list[str] = []  # job ids, one per poll
        self.closed = False

    async def chat(
        self, messages: Sequence[dict[str, str]], *, model: str = "localchat", **extra
    ) -> AsyncIterator[StreamEvent]:
        self.asked.append(list(messages))
        events = self.replies.pop(0) if self.replies else [StreamEvent("done")]
        for number, event in enumerate(events):
            if self.error is not None and number == self.fail_after:
                raise self.error
            if self.delay:
                await asyncio.sleep(self.delay)
            yield event

    async def job(self, job_id: str) -> Job:
        self.polled.append(job_id)
        return self.jobs.pop(0) if len(self.jobs) > 1 else self.jobs[0]

    async def aclose(self) -> None:
        self.closed = True


class WidgetHost(App):
    """Mounts the given widgets on one screen, styled as in the app; `api` is a FakeClient."""

    CSS_PATH: ClassVar[list[Path]] = [STYLES / f"{name}.tcss" for name in STYLE_SHEETS]

    def __init__(self, *widgets: Widget, api: FakeClient | None = None) -> None:
        super().__init__()
        self._widgets = widgets
        self.api = api or FakeClient()

    def compose(self):
        yield from self._widgets


class ChatHost(WidgetHost):
    """The real ChatScreen on a FakeClient, with a real conversations file in `data_dir`."""

    status: reactive[AppStatus] = reactive(AppStatus)

    def __init__(self, data_dir: Path, api: FakeClient, *, documents: int = 2) -> None:
        super().__init__(api=api)
        self.prefs = Prefs()
        self.conversations = ConversationStore.in_data_dir(data_dir)
        self.chat_model = "localchat"
        self.status = AppStatus(connected=True, preset="balanced", documents=documents)
        self.errors: list[LocalChatError] = []

    def on_mount(self) -> None:
        self.push_screen(ChatScreen())

    def on_unmount(self) -> None:
        self.conversations.close()

    def note_error(self, error: LocalChatError) -> None:
        self.errors.append(error)
        self.notify(readable(error), severity="error", markup=False)

    async def refresh_status(self, strict: bool = False) -> None:
        """The status is what the test set: there is no server to ask."""
