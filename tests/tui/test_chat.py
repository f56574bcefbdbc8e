"""Chat against a real server: streaming, citations → sources, Esc stops, history, saving."""

from __future__ import annotations

from textual.widgets import Markdown

from localchat.generation.scripted import ScriptedGenerator
from tests.tui.conftest import ANSWER, SIZE, connected, wait_for
from tui.screens.chat import ChatScreen
from tui.screens.sources import SourcesScreen
from tui.widgets.messages import AnswerMessage
from tui.widgets.prompt_input import PromptInput


async def ask(pilot, question: str) -> AnswerMessage:
    prompt = pilot.app.screen.query_one(PromptInput)
    prompt.value = question
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.query(AnswerMessage))
    return pilot.app.screen.query(AnswerMessage).last()


async def test_answer_streams_with_sources_and_is_saved(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await ask(pilot, "What holds tight despite vibration?")
        await wait_for(pilot, lambda: answer.phase == "done")
        assert answer.text == ANSWER
        assert [s.filename for s in answer.sources][:1] == ["nuts.md"]
        # Citation markers became links the screen can follow.
        markdown = answer.query_one(Markdown)
        await wait_for(pilot, lambda: "(source:1)" in markdown.source)
        footer = str(answer.query_one(".answer-sources").render())
        assert "nuts.md: [1] p.1" in footer
        # Saved: one conversation holding the question and the answer with its sources.
        (summary,) = app.conversations.list()
        saved = app.conversations.get(summary.id)
        assert [m.role for m in saved.messages] == ["user", "assistant"]
        assert saved.messages[1].sources[0]["filename"] == "nuts.md"
        assert app.prefs.history[-1] == "What holds tight despite vibration?"


async def test_a_citation_link_opens_that_source(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await ask(pilot, "What holds tight despite vibration?")
        await wait_for(pilot, lambda: answer.phase == "done")
        markdown = answer.query_one(Markdown)
        markdown.post_message(Markdown.LinkClicked(markdown, "source:1"))
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
        assert app.screen.selected == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("ctrl+s")  # the keyboard way to the same place
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))


async def test_escape_stops_a_generation_and_keeps_what_was_written(server, make_app):
    server.generator._replies = [" ".join(f"word{n}" for n in range(400))]
    server.generator.delay = 0.02
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await ask(pilot, "Tell me everything about nuts")
        await wait_for(pilot, lambda: answer.text.count("word") >= 3)
        await pilot.press("escape")
        await wait_for(pilot, lambda: answer.phase == "stopped")
        written = answer.text
        assert 3 <= written.count("word") < 400
        await pilot.pause(0.3)
        assert answer.text == written  # nothing arrives after the stop
        footer = answer.query_one(".answer-sources")
        await wait_for(pilot, lambda: "stopped" in str(footer.render()))
        saved = app.conversations.get(app.conversations.list()[0].id)
        assert saved.messages[1].meta["finish_reason"] == "cancelled"
        # The next question works at once.
        server.generator._replies = ["Fine [1]."]
        server.generator.delay = 0.0
        second = await ask(pilot, "And the elastic stop nut?")
        await wait_for(pilot, lambda: second.phase == "done")
        assert second.text == "Fine [1]."


async def test_escape_sequences_in_model_output_never_reach_the_screen(server, make_app):
    server.generator._replies = ["Safe \x1b[31mred\x1b[0m \x1b]0;pwned\x07text [1]."]
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await ask(pilot, "What holds tight?")
        await wait_for(pilot, lambda: answer.phase == "done")
        assert "\x1b" not in answer.text and "\x07" not in answer.text
        assert answer.text.startswith("Safe red")


async def test_question_history_with_up_arrow(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await ask(pilot, "first question")
        await wait_for(pilot, lambda: answer.phase == "done")
        prompt = app.screen.query_one(PromptInput)
        prompt.value = "draft"
        await pilot.press("up")
        assert prompt.value == "first question"
        await pilot.press("down")
        assert prompt.value == "draft"


async def test_server_failure_mid_answer_is_a_readable_message(server, make_app):
    def broken(messages):
        raise RuntimeError("the model file is damaged")

    server.runtime.set_generator(ScriptedGenerator(broken))
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await ask(pilot, "What holds tight?")
        await wait_for(pilot, lambda: answer.phase in ("failed", "done"), timeout=15)
        assert answer.phase == "failed"
        shown = str(answer.query_one(".answer-status").render())
        assert "Traceback" not in shown and shown.startswith("✗")


async def test_keyboard_path_from_an_answer_to_its_sources(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await ask(pilot, "What holds tight despite vibration?")
        await wait_for(pilot, lambda: answer.phase == "done")
        answer.focus()
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, SourcesScreen))
        assert app.screen.selected == 2
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        answer.focus()
        await pilot.press("9")  # no such source: said so, nothing opens
        await pilot.pause(0.2)
        assert isinstance(app.screen, ChatScreen)
        assert any("no source [9]" in str(n.message) for n in app._notifications)


async def test_a_question_with_no_matching_passages_says_so(server, make_app):
    server.runtime.set_rag_config({"min_similarity": 0.99})
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await ask(pilot, "zebra quantum marmalade")
        await wait_for(pilot, lambda: answer.phase == "done")
        assert answer.sources == []
        footer = answer.query_one(".answer-sources")
        await wait_for(pilot, lambda: "no matching passages" in str(footer.render()))
