"""Query rewriting: the text a follow-up question is searched with."""

from __future__ import annotations

import re
from collections.abc import Sequence

from localchat.generation.base import ChatMessage

# Follow-ups that only make sense with the previous question ("and the second one?").
_CONTINUATION = re.compile(r"^\W*(and|or|but|also|what about|how about|then|same)\b", re.IGNORECASE)
_PRONOUN = re.compile(
    r"\b(it|its|they|them|their|that|this|those|these|he|she|his|her|one|ones|former|latter)\b",
    re.IGNORECASE,
)
SHORT_QUESTION_WORDS = 6
PRONOUN_QUESTION_WORDS = 12
PREVIOUS_TURN_CHARS = 300


def retrieval_query(history: Sequence[ChatMessage], question: str) -> str:
    """The text to search with: the question, plus the previous user question when this one
    is a short or pronoun-led follow-up ("and the second one?") that cannot stand alone."""
    question = question.strip()
    previous = next((m.content.strip() for m in reversed(history) if m.role == "user"), "")
    if not previous:
        return question
    words = len(question.split())
    follow_up = (
        words <= SHORT_QUESTION_WORDS
        or _CONTINUATION.search(question) is not None
        or (words <= PRONOUN_QUESTION_WORDS and _PRONOUN.search(question) is not None)
    )
    return f"{previous[-PREVIOUS_TURN_CHARS:]} {question}" if follow_up else question
