"""Saved conversations: a real SQLite file, round trips, rename/delete, Markdown export."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localchat.errors import ConversationNotFoundError
from tui.history import (
    TITLE_CHARS,
    ConversationStore,
    Message,
    export_path,
    title_from,
)

SOURCE = {"index": 1, "filename": "guide.pdf", "page": 3, "preview": "Install  with\npip."}


@pytest.fixture
def store(tmp_path):
    conversations = ConversationStore.in_data_dir(tmp_path)
    yield conversations
    conversations.close()


def test_round_trip_keeps_order_sources_and_meta(store):
    cid = store.create("How do I install it?")
    store.add_message(cid, Message("user", "How do I install it?"))
    store.add_message(cid, Message("assistant", "Use pip [1].", [SOURCE], {"preset": "fast"}))
    conversation = store.get(cid)
    assert conversation.title == "How do I install it?"
    assert [m.role for m in conversation.messages] == ["user", "assistant"]
    assert conversation.messages[1].sources == [SOURCE]
    assert conversation.messages[1].meta == {"preset": "fast"}


def test_list_is_newest_first_with_message_counts(store):
    first = store.create("first")
    second = store.create("second")
    store.add_message(first, Message("user", "later activity", created_at=4e9))
    listed = store.list()
    assert [c.id for c in listed] == [first, second]
    assert listed[0].messages == 1 and listed[1].messages == 0


def test_rename_and_delete(store, tmp_path):
    cid = store.create("old")
    store.add_message(cid, Message("user", "q"))
    store.rename(cid, "  new\nname ")
    assert store.get(cid).title == "new name"
    store.delete(cid)
    assert store.list() == []
    with pytest.raises(ConversationNotFoundError) as caught:
        store.get(cid)
    assert caught.value.status == 404 and caught.value.hint
    # messages went with it (foreign key cascade), not left behind in the file
    reopened = ConversationStore.in_data_dir(tmp_path)
    assert reopened._db.execute("SELECT count(*) FROM messages").fetchone() == (0,)
    reopened.close()


def test_markdown_export_has_questions_answers_and_sources(store, tmp_path):
    cid = store.create("Install")
    store.add_message(cid, Message("user", "How do I install it?"))
    store.add_message(cid, Message("assistant", "Use pip [1].", [SOURCE]))
    text = store.export_markdown(cid)
    assert text.startswith("# Install\n")
    assert "## Question\n\nHow do I install it?" in text
    assert "## Answer\n\nUse pip [1]." in text
    assert "1. **guide.pdf**, page 3: Install with pip." in text
    conversation = store.get(cid)
    path = export_path(tmp_path, conversation)
    path.write_text(text)
    assert export_path(tmp_path, conversation).name == "install-2.md"


@given(st.text(max_size=300))
def test_titles_are_one_bounded_line(question):
    title = title_from(question)
    assert 0 < len(title) <= TITLE_CHARS
    assert "\n" not in title and title == title.strip()


MARKED_UP = (
    '<source id="1" from="guide.pdf, page 3">\nUse pip [1].\n</source>\n\n\n'
    "It installs offline [2]. </SOURCE >"
)


def test_prompt_markup_is_not_stored_and_not_exported(store, tmp_path):
    cid = store.create("Install")
    store.add_message(cid, Message("user", "How do I <source> it?"))
    store.add_message(cid, Message("assistant", MARKED_UP, [SOURCE]))
    saved = store.get(cid).messages
    assert saved[0].content == "How do I <source> it?"  # the user's own words stay as typed
    assert saved[1].content == "Use pip [1].\n\nIt installs offline [2]."
    raw = store._db.execute("SELECT group_concat(content) FROM messages").fetchone()[0]
    assert "source id=" not in raw and "</source" not in raw.lower()
    exported = store.export_markdown(cid)
    assert "source id=" not in exported and "</source>" not in exported
    assert "## Answer\n\nUse pip [1].\n\nIt installs offline [2]." in exported


def test_an_unversioned_file_is_migrated_and_its_saved_markup_removed(tmp_path):
    import sqlite3

    path = tmp_path / "conversations.db"
    old = sqlite3.connect(path)  # the layout written before migrations were versioned
    old.executescript(
        """
        CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL,
            created_at REAL NOT NULL, updated_at REAL NOT NULL);
        CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL
            REFERENCES conversations(id) ON DELETE CASCADE, role TEXT NOT NULL,
            content TEXT NOT NULL, sources TEXT NOT NULL DEFAULT '[]',
            meta TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL);
        INSERT INTO conversations VALUES (1, 'old', 1.0, 1.0);
        """
    )
    old.execute("INSERT INTO messages VALUES (1, 1, 'assistant', ?, '[]', '{}', 1.0)", (MARKED_UP,))
    old.commit()
    old.close()
    upgraded = ConversationStore(path)
    try:
        assert upgraded.version == 2
        assert upgraded._db.execute("PRAGMA user_version").fetchone() == (2,)
        assert upgraded.get(1).messages[0].content == "Use pip [1].\n\nIt installs offline [2]."
    finally:
        upgraded.close()
    again = ConversationStore(path)  # a second open runs nothing and keeps the data
    assert again.version == 2 and again.get(1).title == "old"
    again.close()


def test_a_failing_migration_rolls_back_and_says_what_to_do(tmp_path, monkeypatch):
    import sqlite3

    from localchat.errors import StoreError
    from tui import history

    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(history, "MIGRATIONS", [*history.MIGRATIONS, broken])
    with pytest.raises(StoreError) as caught:
        ConversationStore(tmp_path / "conversations.db")
    assert "conversations file" in str(caught.value) and caught.value.hint
    check = sqlite3.connect(tmp_path / "conversations.db")
    assert check.execute("PRAGMA user_version").fetchone() == (2,)
    assert not check.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall()
    check.close()
