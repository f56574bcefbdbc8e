"""The chat screen on a fake client: what it sends, how the stream fills the answer, where
citations lead, the question history. The real-server versions are in tests/tui/test_chat.py."""

from __future__ import annotations

import contextlib

from textual.widgets import Markdown

from localchat.errors import ServerUnreachableError
from tests.tui.conftest import answered, ask, wait_for
from tests.tui.fakes import ChatHost, FakeClient, answer_events, source
from tui.screens.chat import ChatScreen
from tui.screens.sources import SourcesScreen
from tui.widgets.prompt_input import PromptInput

SIZE = (80, 24)
SOURCES = [
    source(1, "nuts.md", "The Boots nut holds tight despite severe vibration."),
    source(2, "go.md", "Go has goroutines."),
]
ANSWER = "The Boots nut holds tight [1]. Go has goroutines [2]."


def notified(app, words: str) -> bool:
    return any(words in str(n.message) for n in app._notifications)


@contextlib.asynccontextmanager
async def chatting(tmp_path, api: FakeClient | None = None):
    """The chat screen up on `api` (default: one answer, ANSWER citing SOURCES)."""
    app = ChatHost(tmp_path, api or FakeClient([answer_events(ANSWER, SOURCES)]))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: app.screen.query(PromptInput))
        yield pilot


async def test_the_stream_fills_the_answer_and_the_turn_is_saved(tmp_path):
    async with chatting(tmp_path) as pilot:
        app = pilot.app
        answer = await answered(pilot, "What holds tight?")
        assert answer.text == ANSWER and answer.sources == SOURCES
        assert app.api.asked == [[{"role": "user", "content": "What holds tight?"}]]
        await wait_for(pilot, lambda: "(source:2)" in answer.query_one(Markdown).source)
        (summary,) = app.conversations.list()
        saved = app.conversations.get(summary.id).messages
        assert [(m.role, m.content) for m in saved] == [
            ("user", "What holds tight?"),
            ("assistant", ANSWER),
        ]
        assert saved[1].sources[1]["filename"] == "go.md"
        assert saved[1].meta == {"preset": "balanced", "finish_reason": "stop"}


async def test_a_follow_up_sends_the_earlier_turns(tmp_path):
    api = FakeClient([answer_events(ANSWER, SOURCES), answer_events("More [1].", SOURCES)])
    async with chatting(tmp_path, api) as pilot:
        first = await answered(pilot, "What holds tight?")
        second = await ask(pilot, "And why?")
        await wait_for(pilot, lambda: second.phase == "done" and second is not first)
        assert api.asked[1] == [
            {"role": "user", "content": "What holds tight?"},
            {"role": "assistant", "content": ANSWER},
            {"role": "user", "content": "And why?"},
        ]


async def test_a_lost_server_mid_answer_fails_the_answer_and_reaches_the_app(tmp_path):
    lost = ServerUnreachableError("the server at http://fake.invalid stopped answering")
    api = FakeClient([answer_events(ANSWER, SOURCES)], error=lost, fail_after=2)
    async with chatting(tmp_path, api) as pilot:
        app = pilot.app
        screen = app.screen
        answer = await ask(pilot, "What holds tight?")
        await wait_for(pilot, lambda: answer.phase == "failed")
        assert app.errors == [lost]
        assert answer.text == ANSWER[: -(-len(ANSWER) // 3)]  # what came before the loss
        assert not screen.generating  # the next question can be asked
        assert app.conversations.list() == []  # a failed answer is not saved


async def test_a_second_question_while_answering_is_refused(tmp_path):
    api = FakeClient([answer_events(ANSWER, SOURCES)], delay=0.2)
    async with chatting(tmp_path, api) as pilot:
        app = pilot.app
        screen = app.screen
        answer = await ask(pilot, "What holds tight?")
        assert screen.ask("Another?") is None
        await wait_for(pilot, lambda: notified(app, "Esc to stop it"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: answer.phase == "stopped")
        assert len(api.asked) == 1


async def test_a_citation_link_opens_that_source(tmp_path):
    async with chatting(tmp_path) as pilot:
        app = pilot.app
        answer = await answered(pilot, "What holds tight?")
        markdown = answer.query_one(Markdown)
        markdown.post_message(Markdown.LinkClicked(markdown, "source:1"))
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
        assert app.screen.selected == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("ctrl+s")  # the keyboard way to the same place
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))


async def test_keyboard_path_from_an_answer_to_its_sources(tmp_path):
    async with chatting(tmp_path) as pilot:
        app = pilot.app
        answer = await answered(pilot, "What holds tight?")
        answer.focus()
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
        assert app.screen.selected == 2
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        answer.focus()
        await pilot.press("9")  # no such source: said so, nothing opens
        await wait_for(pilot, lambda: notified(app, "no source [9]"))
        assert isinstance(app.screen, ChatScreen)


async def test_question_history_with_up_arrow(tmp_path):
    async with chatting(tmp_path) as pilot:
        app = pilot.app
        screen = app.screen
        await answered(pilot, "first question")
        prompt = screen.query_one(PromptInput)
        assert prompt.history is app.prefs.history == ["first question"]
        prompt.value = "draft"
        await pilot.press("up")
        assert prompt.value == "first question"
        await pilot.press("down")
        assert prompt.value == "draft"
