"""Saved conversations: a small SQLite file in the data dir, with Markdown export."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import msgspec

from localchat.errors import ConversationNotFoundError, StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT '[]',
    meta TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id);
"""
TITLE_CHARS = 60


class Message(msgspec.Struct):
    role: str  # "user" | "assistant"
    content: str
    sources: list[dict[str, Any]] = []
    meta: dict[str, Any] = {}  # preset, model, finish reason…
    created_at: float = 0.0


class ConversationSummary(msgspec.Struct, frozen=True):
    id: int
    title: str
    created_at: float
    updated_at: float
    messages: int


class Conversation(msgspec.Struct):
    id: int
    title: str
    created_at: float
    updated_at: float
    messages: list[Message]


def title_from(question: str) -> str:
    """A conversation title from its first question: one line, at most TITLE_CHARS."""
    flat = " ".join(question.split()) or "New conversation"
    return flat if len(flat) <= TITLE_CHARS else flat[: TITLE_CHARS - 1].rstrip() + "…"


class ConversationStore:
    """Conversations of one data dir. Each call is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open the conversations file {path}: {exc}",
                hint="check that the data dir is writable, or pass another --data-dir",
            ) from None

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> ConversationStore:
        return cls(data_dir / "conversations.db")

    def close(self) -> None:
        self._db.close()

    def create(self, title: str = "New conversation") -> int:
        now = time.time()
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)",
                (title_from(title), now, now),
            )
        return int(cursor.lastrowid or 0)

    def add_message(self, conversation_id: int, message: Message) -> None:
        now = message.created_at or time.time()
        self._require(conversation_id)
        with self._db:
            self._db.execute(
                "INSERT INTO messages (conversation_id, role, content, sources, meta, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    message.role,
                    message.content,
                    msgspec.json.encode(message.sources).decode(),
                    msgspec.json.encode(message.meta).decode(),
                    now,
                ),
            )
            self._db.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )

    def list(self) -> list[ConversationSummary]:
        rows = self._db.execute(
            "SELECT c.id, c.title, c.created_at, c.updated_at, count(m.id) FROM conversations c"
            " LEFT JOIN messages m ON m.conversation_id = c.id"
            " GROUP BY c.id ORDER BY c.updated_at DESC, c.id DESC"
        ).fetchall()
        return [ConversationSummary(*row) for row in rows]

    def get(self, conversation_id: int) -> Conversation:
        head = self._require(conversation_id)
        rows = self._db.execute(
            "SELECT role, content, sources, meta, created_at FROM messages"
            " WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        ).fetchall()
        messages = [
            Message(role, content, msgspec.json.decode(sources), msgspec.json.decode(meta), at)
            for role, content, sources, meta, at in rows
        ]
        return Conversation(*head, messages=messages)

    def rename(self, conversation_id: int, title: str) -> None:
        self._require(conversation_id)
        with self._db:
            self._db.execute(
                "UPDATE conversations SET title = ? WHERE id = ?",
                (title_from(title), conversation_id),
            )

    def delete(self, conversation_id: int) -> None:
        self._require(conversation_id)
        with self._db:
            self._db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def _require(self, conversation_id: int) -> tuple:
        row = self._db.execute(
            "SELECT id, title, created_at, updated_at FROM conversations WHERE id = ?",
            (conversation_id,),
        ).fetchone()
        if row is None:
            raise ConversationNotFoundError(
                f"conversation {conversation_id} does not exist",
                hint="it may have been deleted; pick another from the list",
            )
        return row

    def export_markdown(self, conversation_id: int) -> str:
        return to_markdown(self.get(conversation_id))


def to_markdown(conversation: Conversation) -> str:
    """The conversation as a Markdown document: questions, answers and their sources."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(conversation.created_at))
    lines = [f"# {conversation.title}", "", f"_LocalChat conversation, started {when}_", ""]
    for message in conversation.messages:
        if message.role == "user":
            lines += ["## Question", "", message.content.strip(), ""]
            continue
        lines += ["## Answer", "", message.content.strip(), ""]
        if message.sources:
            lines += ["### Sources", ""]
            for source in message.sources:
                page = f", page {source['page']}" if source.get("page") else ""
                preview = " ".join(str(source.get("preview", "")).split())
                lines.append(
                    f"{source.get('index')}. **{source.get('filename')}**{page}: {preview}"
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def export_path(directory: Path, conversation: Conversation) -> Path:
    """A file name for an export that does not overwrite an earlier one."""
    stem = "".join(c if c.isalnum() else "-" for c in conversation.title.lower()).strip("-")
    stem = "-".join(part for part in stem.split("-") if part)[:40] or "conversation"
    path = directory / f"{stem}.md"
    counter = 2
    while path.exists():
        path = directory / f"{stem}-{counter}.md"
        counter += 1
    return path
