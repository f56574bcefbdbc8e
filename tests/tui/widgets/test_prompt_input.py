"""The question box walks the question history with Up and Down and keeps the draft."""

from __future__ import annotations

from tests.tui.fakes import WidgetHost
from tui.widgets.prompt_input import PromptInput


async def test_up_and_down_walk_the_history_and_come_back_to_the_draft():
    history = ["first", "second", "third"]
    prompt = PromptInput(history)
    async with WidgetHost(prompt).run_test() as pilot:
        prompt.focus()
        await pilot.press(*"dra", "f", "t")
        seen = []
        for _ in range(4):  # one more than the history: it stops at the oldest
            await pilot.press("up")
            seen.append(prompt.value)
        assert seen == ["third", "second", "first", "first"]
        assert prompt.cursor_position == len("first")
        await pilot.press("down", "down")
        assert prompt.value == "third"
        await pilot.press("down", "down")  # past the newest: the draft, and it stays
        assert prompt.value == "draft"


async def test_an_empty_history_leaves_the_text_alone():
    prompt = PromptInput([])
    async with WidgetHost(prompt).run_test() as pilot:
        prompt.focus()
        await pilot.press("h", "i", "up", "down")
        assert prompt.value == "hi"


async def test_the_history_is_the_shared_list_and_reset_starts_over():
    history = ["old"]
    prompt = PromptInput(history)
    async with WidgetHost(prompt).run_test() as pilot:
        prompt.focus()
        history.append("just asked")  # the app remembers a question in the same list
        prompt.reset_history()
        await pilot.press("up")
        assert prompt.value == "just asked"
        await pilot.press("up")
        assert prompt.value == "old"
        prompt.value = ""
        prompt.reset_history()  # after sending: Down has no older draft to bring back
        await pilot.press("down")
        assert prompt.value == ""
