"""Chat: ask, watch the answer stream in as Markdown, follow its citations, keep the history."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import msgspec
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from localchat.client import SourceEntry
from localchat.errors import LocalChatError
from tui.history import Message, strip_prompt_markup
from tui.screens.conversations import ConversationsScreen, export_conversation
from tui.screens.sources import SourcesScreen
from tui.widgets.messages import AnswerMessage, UserMessage
from tui.widgets.prompt_input import PromptInput
from tui.widgets.status_bar import StatusBar

HISTORY_TURNS = 4  # earlier messages sent along: enough for follow-ups, small for a small model
WELCOME = (
    "Ask a question about your documents and press Enter. Answers cite passages as [1], [2]; "
    "click a marker or press ctrl+s to see them. F3 opens the Library to add documents, "
    "F4 the retrieval presets, F1 every key, ctrl+p every action by name."
)

EMPTY_LIBRARY = "Your library is empty: F3 to add documents."


class ChatScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Short footer labels so F1-F4 still fit at 80 columns; the help shows the tooltips.
        Binding("escape", "stop", "Stop", tooltip="Stop answer"),
        Binding("ctrl+s", "sources", "Sources"),
        Binding("ctrl+n", "new", "New chat", show=False),  # in help and the palette
        Binding("ctrl+o", "conversations", "Chats", tooltip="Conversations"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conversation_id: int | None = None
        self.turns: list[Message] = []
        self._answer: AnswerMessage | None = None
        self._session = 0  # bumped when the shown conversation changes

    def compose(self):
        yield StatusBar("Chat", id="status-bar")
        with VerticalScroll(id="messages"):
            yield Static(Content(WELCOME), id="welcome")
        yield PromptInput(
            self.app.prefs.history,
            placeholder="Ask about your documents…  (Enter sends · ↑ earlier questions)",
            id="prompt",
        )
        # Without the palette label F1-F4 fit at 80 columns; WELCOME names ctrl+p instead.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(PromptInput).focus()

    @property
    def generating(self) -> bool:
        return self._answer is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.generating  # shown only while it can stop something: room for F1-F4
        return True

    # -- asking -------------------------------------------------------------------------------

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if question:
            self.ask(question)

    def ask(self, question: str) -> AnswerMessage | None:
        """Start answering `question`; returns the answer widget that will fill in."""
        if self.generating:
            self.notify("An answer is still being written: press Esc to stop it first.")
            return None
        if self.app.api is None:
            self.notify("Not connected to a server yet.", severity="error")
            return None
        prompt = self.query_one(PromptInput)
        self.app.prefs.remember(question)
        prompt.value = ""
        prompt.reset_history()
        self.query("#welcome").remove()
        answer = AnswerMessage(question, self.app.status.preset)
        messages = self.query_one("#messages", VerticalScroll)
        messages.mount(UserMessage(question), answer)
        messages.anchor()
        self._answer = answer
        self.refresh_bindings()
        self._stream(question, answer)
        return answer

    def _history(self) -> list[dict[str, str]]:
        pairs = [m for m in self.turns if m.role in ("user", "assistant") and m.content]
        return [{"role": m.role, "content": m.content} for m in pairs[-HISTORY_TURNS:]]

    @work(exclusive=True, group="answer", exit_on_error=False)
    async def _stream(self, question: str, answer: AnswerMessage) -> None:
        messages = [*self._history(), {"role": "user", "content": question}]
        session, reason = self._session, "stop"
        try:
            collection = self.app.status.collection or "default"
            chat = self.app.api.chat(messages, model=self.app.chat_model, collection=collection)
            async for event in chat:
                if event.kind == "sources":
                    answer.set_sources(event.sources)
                elif event.kind == "delta":
                    answer.append(event.text)
                elif event.finish_reason:
                    reason = event.finish_reason
            answer.finish(reason)
            self._save(question, answer)
            if not answer.sources:
                await self._explain_no_sources()
        except asyncio.CancelledError:
            answer.finish("cancelled")
            if session == self._session:  # not when the user already moved to another chat
                self._save(question, answer)
            raise
        except LocalChatError as exc:
            answer.fail(exc)
            self.app.note_error(exc)
        finally:
            self._answer = None
            self.refresh_bindings()

    async def _explain_no_sources(self) -> None:
        """An answer without sources: when the library is empty, say that is the reason."""
        await self.app.refresh_status()  # documents may have been added from the shell
        if self.app.status.documents:
            return
        note = Static(Content(EMPTY_LIBRARY), classes="chat-note")
        await self.query_one("#messages", VerticalScroll).mount(note)
        self.notify(EMPTY_LIBRARY, severity="warning", markup=False)

    def _save(self, question: str, answer: AnswerMessage) -> None:
        store = self.app.conversations
        try:
            if self.conversation_id is None:
                self.conversation_id = store.create(question)
            user = Message("user", question)
            reply = Message(
                "assistant",
                answer.text,
                sources=msgspec.to_builtins(answer.sources),
                meta={"preset": answer.preset, "finish_reason": answer.finish_reason},
            )
            store.add_message(self.conversation_id, user)
            store.add_message(self.conversation_id, reply)
        except LocalChatError as exc:
            self.app.note_error(exc)
        reply_text = strip_prompt_markup(answer.text)  # sent back as history: no fences
        self.turns += [Message("user", question), Message("assistant", reply_text)]

    def action_stop(self) -> None:
        if self.generating:
            self.workers.cancel_group(self, "answer")
        else:
            self.query_one(PromptInput).focus()

    # -- sources --------------------------------------------------------------------------------

    def action_sources(self) -> None:
        focused = self.focused if isinstance(self.focused, AnswerMessage) else None
        answers = [a for a in self.query(AnswerMessage) if a.sources]
        answer = focused or (answers[-1] if answers else None)
        if answer is None or not answer.sources:
            self.notify("No answer with sources yet: ask a question first.")
            return
        self._open_sources(answer, None)

    @on(AnswerMessage.OpenSources)
    def _open_from_answer(self, event: AnswerMessage.OpenSources) -> None:
        self._open_sources(event.answer, event.index)

    def _open_sources(self, answer: AnswerMessage, index: int | None) -> None:
        self.app.push_screen(SourcesScreen(answer.question, answer.text, answer.sources, index))

    # -- conversations ------------------------------------------------------------------------

    def action_new(self) -> None:
        self.action_stop()
        self._session += 1
        self.conversation_id = None
        self.turns = []
        messages = self.query_one("#messages", VerticalScroll)
        messages.remove_children()
        messages.mount(Static(Content(WELCOME), id="welcome"))
        self.query_one(PromptInput).focus()

    @work(exit_on_error=False)
    async def action_conversations(self) -> None:
        chosen = await self.app.push_screen_wait(ConversationsScreen())
        if chosen == 0:
            self.action_new()
        elif chosen:
            self.open_conversation(chosen)

    def open_conversation(self, conversation_id: int) -> None:
        try:
            conversation = self.app.conversations.get(conversation_id)
        except LocalChatError as exc:
            self.app.note_error(exc)
            return
        self.action_stop()
        self._session += 1
        self.conversation_id = conversation.id
        self.turns = list(conversation.messages)
        messages = self.query_one("#messages", VerticalScroll)
        messages.remove_children()
        widgets, question = [], ""
        for message in conversation.messages:
            if message.role == "user":
                question = message.content
                widgets.append(UserMessage(question))
            else:
                sources = msgspec.convert(message.sources, list[SourceEntry], strict=False)
                preset = str(message.meta.get("preset", ""))
                widgets.append(
                    AnswerMessage(question, preset, text=message.content, sources=sources)
                )
        messages.mount_all(widgets)
        messages.scroll_end(animate=False)
        self.notify(f"Opened “{conversation.title}”", markup=False)

    @work(exit_on_error=False)
    async def action_export(self) -> None:
        if self.conversation_id is None:
            self.notify("Nothing to export yet: ask a question first.")
            return
        await export_conversation(self, self.conversation_id)
