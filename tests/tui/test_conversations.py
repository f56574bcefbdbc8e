"""Saved conversations from the TUI: list, reopen, rename, delete with confirmation, export."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from tests.tui.conftest import SIZE, connected, wait_for
from tui.history import Message
from tui.screens.chat import ChatScreen
from tui.screens.conversations import ConversationsScreen
from tui.screens.dialogs import ConfirmScreen, TextPromptScreen
from tui.widgets.messages import AnswerMessage, UserMessage


def seed(app) -> int:
    store = app.conversations
    cid = store.create("About nuts")
    store.add_message(cid, Message("user", "What holds tight?"))
    sources = [
        {
            "index": 1,
            "filename": "nuts.md",
            "page": 1,
            "preview": "The Boots nut",
            "text": "The Boots nut holds tight.",
        }
    ]
    store.add_message(cid, Message("assistant", "The Boots nut [1].", sources))
    return cid


async def open_list(pilot) -> ConversationsScreen:
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationsScreen))
    return pilot.app.screen


async def test_reopen_a_saved_conversation(server, make_app):
    app = make_app(server.url)
    seed(app)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        screen = await open_list(pilot)
        assert screen.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        await wait_for(pilot, lambda: chat.query(AnswerMessage))
        assert len(chat.query(UserMessage)) == 1
        answer = chat.query_one(AnswerMessage)
        assert answer.text == "The Boots nut [1]." and answer.sources[0].filename == "nuts.md"
        assert chat.turns[0].content == "What holds tight?"


async def test_rename_delete_and_export(server, make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # exports default to the current folder
    app = make_app(server.url)
    cid = seed(app)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await open_list(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        app.screen.query_one(Input).value = "Self-locking nuts"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        assert app.conversations.get(cid).title == "Self-locking nuts"

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        target = app.screen.query_one(Input).value
        assert target == str(tmp_path / "self-locking-nuts.md")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "self-locking-nuts.md").exists())
        text = (tmp_path / "self-locking-nuts.md").read_text()
        assert text.startswith("# Self-locking nuts") and "**nuts.md**" in text

        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.conversations.list() == [])
