"""Saved conversations: a real SQLite file, round trips, rename/delete, Markdown export."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localchat.conversations import (
    TITLE_CHARS,
    ConversationNotFoundError,
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
