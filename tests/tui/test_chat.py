"""Chat against a real server: streaming, citations → sources, Esc stops, history, saving."""

from __future__ import annotations

import pytest
from textual.widgets import Markdown

from localchat.generation.scripted import ScriptedGenerator
from tests.tui.conftest import ANSWER, SIZE, answered, ask, connected, skip_wizard, wait_for
from tui.widgets.prompt_input import PromptInput


async def test_answer_streams_with_sources_and_is_saved(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await answered(pilot, "What holds tight despite vibration?")
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


async def test_escape_stops_a_generation_and_keeps_what_was_written(server, make_app):
    # Sentences the source supports (generative answers keep only checked sentences, and at
    # most three), written slowly enough to stop between the first and the last.
    server.generator._replies = [SUPPORTED * 3]
    server.generator.delay = 0.15
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await ask(pilot, "Tell me everything about nuts")
        await wait_for(pilot, lambda: answer.text.count("Boots") >= 1)
        await pilot.press("escape")
        await wait_for(pilot, lambda: answer.phase == "stopped")
        written = answer.text
        assert 1 <= written.count("Boots") < 3
        await pilot.pause(0.5)
        assert answer.text == written  # nothing arrives after the stop
        footer = answer.query_one(".answer-sources")
        await wait_for(pilot, lambda: "stopped" in str(footer.render()))
        saved = app.conversations.get(app.conversations.list()[0].id)
        assert saved.messages[1].meta["finish_reason"] == "cancelled"
        # The next question works at once.
        server.generator._replies = ["The elastic stop nut has a fiber locking collar [1]."]
        server.generator.delay = 0.0
        second = await answered(pilot, "What does the elastic stop nut have?")
        assert second.text == "The elastic stop nut has a fiber locking collar [1]."


async def test_escape_sequences_in_model_output_never_reach_the_screen(server, make_app):
    # A sentence the source supports (generative answers keep only checked sentences).
    server.generator._replies = [
        "The Boots self-locking nut is one piece, all-metal, and holds tight despite severe "
        "vibration: \x1b[31mred\x1b[0m \x1b]0;pwned\x07text [1]."
    ]
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await answered(pilot, "What holds tight?")
        assert "\x1b" not in answer.text and "\x07" not in answer.text
        assert answer.text.startswith("The Boots self-locking nut")
        assert "vibration: red text [1]." in answer.text


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


async def test_a_question_with_no_matching_passages_says_so(server, make_app):
    server.runtime.set_rag_config({"min_similarity": 0.99})
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await answered(pilot, "zebra quantum marmalade")
        assert answer.sources == []
        footer = answer.query_one(".answer-sources")
        await wait_for(pilot, lambda: "no matching passages" in str(footer.render()))


async def test_up_arrow_history_works_right_after_the_wizard(empty_server, make_app):

    app = make_app(empty_server.url)
    async with app.run_test(size=SIZE) as pilot:
        await skip_wizard(pilot)  # leaving the wizard saves the preferences
        await answered(pilot, "first question after the wizard")
        prompt = app.screen.query_one(PromptInput)
        assert prompt.history is app.prefs.history  # one list, not a stale copy
        await pilot.press("up")
        assert prompt.value == "first question after the wizard"


async def test_copied_prompt_fences_are_not_saved_or_exported(server, make_app, tmp_path):
    server.generator._replies = [
        '<source id="1" from="nuts.md, page 1">\nThe Boots nut holds tight [1].\n</source>'
    ]
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await answered(pilot, "What holds tight?")
        (summary,) = app.conversations.list()
        saved = app.conversations.get(summary.id).messages[1].content
        assert saved == "The Boots nut holds tight [1]."
        assert "<source" not in app.screen.turns[-1].content
        target = tmp_path / "export.md"
        app.screen.action_export()
        from tui.screens.dialogs import TextPromptScreen

        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        app.screen.query_one("Input").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, target.exists)
        exported = target.read_text()
        assert "The Boots nut holds tight [1]." in exported
        assert "<source" not in exported and "</source>" not in exported


async def test_an_empty_library_is_named_as_the_reason(empty_server, make_app):
    from tui.screens.chat import EMPTY_LIBRARY

    app = make_app(empty_server.url)
    async with app.run_test(size=SIZE) as pilot:
        await skip_wizard(pilot)
        await answered(pilot, "What holds tight?")
        await wait_for(pilot, lambda: app.screen.query(".chat-note"))
        note = app.screen.query_one(".chat-note")
        assert str(note.render()) == EMPTY_LIBRARY == "Your library is empty: F3 to add documents."


async def test_a_library_with_documents_gets_no_empty_note(server, make_app):
    server.runtime.set_rag_config({"min_similarity": 0.99})
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        answer = await answered(pilot, "zebra quantum marmalade")
        await pilot.pause(0.3)
        assert answer.sources == [] and not app.screen.query(".chat-note")


# Sentences the sources support, so generative mode's check keeps every one as it streams.
SUPPORTED = "The Boots self-locking nut holds tight despite severe vibration [1]. "


@pytest.fixture
def generative_server(tmp_path, generator, docs):
    """A server that streams the generator's own words (rag.answer_mode generative), so a
    long scripted reply really streams for a while."""
    from localchat.config import load_settings
    from tests.tui.conftest import _serve

    env = {"LOCALCHAT_RAG_MIN_SIMILARITY": "-1", "LOCALCHAT_RAG_ANSWER_MODE": "generative"}
    yield from _serve(load_settings(data_dir=tmp_path / "gen", environ=env), generator, docs)


async def test_footer_keeps_f1_to_f4_at_80_columns(generative_server, make_app):
    server = generative_server
    from tests.tui.screen_text import screen_text, settled_text

    server.generator._replies = [SUPPORTED * 40]
    server.generator.delay = 0.02
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        # The compact footer fills in its keys a beat after the screen is up (on a busy
        # machine the screen can look settled before that): wait for it to be drawn at all.
        await wait_for(pilot, lambda: "^q Quit" in screen_text(app))
        idle = (await settled_text(pilot)).splitlines()[-1]
        # "about nuts" ranks nuts.md first, so the scripted sentence's [1] is the source that
        # supports it and the check keeps it (a sentence citing a source that does not
        # support it is dropped, and the answer would arrive whole at the end).
        answer = await ask(pilot, "Tell me everything about nuts")
        await wait_for(pilot, lambda: answer.phase == "streaming")
        await pilot.pause(0.3)
        busy = screen_text(app).splitlines()[-1]
        for line in (idle, busy):
            for label in ("f1 Help", "f2 Chat", "f3 Library", "f4 Presets", "^q Quit"):
                assert label in line, line
        assert "esc Stop" in busy and "esc Stop" not in idle
