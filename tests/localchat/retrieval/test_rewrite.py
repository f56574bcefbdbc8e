"""Query rewriting: a follow-up question is searched with the question it follows."""

from __future__ import annotations

from localchat.generation.base import ChatMessage
from localchat.retrieval.rewrite import retrieval_query


def test_retrieval_query_standalone_question_is_unchanged() -> None:
    history = [ChatMessage("user", "What is a goroutine?"), ChatMessage("assistant", "...")]
    question = "How does the garbage collector decide when to run a cycle?"
    assert retrieval_query(history, question) == question
    assert retrieval_query([], "and the second one?") == "and the second one?"


def test_retrieval_query_follow_ups_borrow_the_previous_question() -> None:
    history = [
        ChatMessage("user", "What are the two kinds of channels?"),
        ChatMessage("assistant", "Buffered [1] and unbuffered [2]."),
    ]
    for follow_up in ["and the second one?", "Why?", "How do they block when full?"]:
        query = retrieval_query(history, follow_up)
        assert query == f"What are the two kinds of channels? {follow_up}"


def test_retrieval_query_uses_only_the_end_of_a_long_previous_turn() -> None:
    history = [ChatMessage("user", "x" * 1000 + " channels?")]
    query = retrieval_query(history, "why?")
    assert query.endswith("channels? why?")
    assert len(query) < 320
