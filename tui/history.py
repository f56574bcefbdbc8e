"""Saved conversations: a SQLite file in the data dir, versioned migrations, Markdown export."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from localchat.errors import ConversationNotFoundError, StoreError

TITLE_CHARS = 60
# The fences the prompt puts around sources (localchat.chat.prompt.render_source). A small
# model sometimes copies them into its answer; Markdown hides them on screen, so they must
# not survive into the saved text and its exports either.
_PROMPT_MARKUP = re.compile(r"</?\s*source\b[^>\n]*>", re.IGNORECASE)
_BLANK_RUNS = re.compile(r"\n{3,}")


def strip_prompt_markup(text: str) -> str:
    """Text without copied `<source id=… from=…>` / `</source>` fences."""
    if "source" not in text.lower():
        return text
    stripped = _PROMPT_MARKUP.sub("", text)
    stripped = "\n".join(line.rstrip() for line in stripped.split("\n"))
    return _BLANK_RUNS.sub("\n\n", stripped).strip()


_V1_TABLES = (
    """CREATE TABLE IF NOT EXISTS conversations (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        sources TEXT NOT NULL DEFAULT '[]',
        meta TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id)",
)


def _v1_tables(db: sqlite3.Connection) -> None:
    # IF NOT EXISTS: files written before migrations were counted already hold these tables.
    # One execute per statement: executescript() would commit migrate()'s transaction.
    for statement in _V1_TABLES:
        db.execute(statement)


def _v2_strip_saved_markup(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT id, content FROM messages WHERE role = 'assistant' AND content LIKE '%source%'"
    ).fetchall()
    for message_id, content in rows:
        cleaned = strip_prompt_markup(content)
        if cleaned != content:
            db.execute("UPDATE messages SET content = ? WHERE id = ?", (cleaned, message_id))


# Append only: never edit a migration that has shipped. `PRAGMA user_version` counts them.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1_tables, _v2_strip_saved_markup]


def migrate(db: sqlite3.Connection) -> int:
    """Run the migrations this file has not seen, each in its own transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        db.execute("BEGIN")
        try:
            step(db)
            db.execute(f"PRAGMA user_version = {number}")
        except sqlite3.Error:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return len(MIGRATIONS)


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
            # isolation_level=None: transactions are explicit (migrations and `with self._tx`).
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            self.version = migrate(self._db)
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

    def _write(self, *statements: tuple[str, tuple]) -> sqlite3.Cursor:
        """Run statements in one transaction; returns the first statement's cursor."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            cursors = [self._db.execute(sql, params) for sql, params in statements]
        except sqlite3.Error:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return cursors[0]

    def create(self, title: str = "New conversation") -> int:
        now = time.time()
        cursor = self._write(
            (
                "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)",
                (title_from(title), now, now),
            )
        )
        return int(cursor.lastrowid or 0)

    def add_message(self, conversation_id: int, message: Message) -> None:
        now = message.created_at or time.time()
        self._require(conversation_id)
        content = message.content
        if message.role == "assistant":
            content = strip_prompt_markup(content)
        self._write(
            (
                "INSERT INTO messages (conversation_id, role, content, sources, meta, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    message.role,
                    content,
                    msgspec.json.encode(message.sources).decode(),
                    msgspec.json.encode(message.meta).decode(),
                    now,
                ),
            ),
            ("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)),
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
        self._write(
            (
                "UPDATE conversations SET title = ? WHERE id = ?",
                (title_from(title), conversation_id),
            )
        )

    def delete(self, conversation_id: int) -> None:
        self._require(conversation_id)
        self._write(("DELETE FROM conversations WHERE id = ?", (conversation_id,)))

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
        lines += ["## Answer", "", strip_prompt_markup(message.content).strip(), ""]
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
