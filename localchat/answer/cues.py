"""Cues of what answers a question: the kind of answer it asks for ("how many" asks for a
figure, "why" for a cause), and the sentences that go on from the one before them.

Both repair what a sentence's own embedding and words miss: the sentence holding the answer
often shares nothing with the question ("As of this writing it is slightly more than 50,000
lines." answers "How large was the gccgo code base?"), while the sentence before it or the
heading above it does.
"""

from __future__ import annotations

import re

_FIGURE_QUESTION = re.compile(
    r"\bhow\s+(?:many|much|large|long|big|old|often|far|high|tall|heavy|fast|small|wide)\b"
    r"|\b(?:what|which)\s+(?:[\w'-]+\s+){0,2}?(?:date|year|day|month|version|release|"
    r"numbers?|percentage|size|amount|cost|price|count|range)s?\b"
    r"|\bsince\s+(?:when|which)\b",
    re.IGNORECASE,
)
_CAUSE_QUESTION = re.compile(r"^\W*why\b|\bwhy\s+(?:do|does|did|is|are|was|were|can|not)", re.I)
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_LINK = re.compile(r"\]\([^)\s]*\)|\b(?:https?://|www\.)\S+|(?<![\w/])/[\w.-]+/\S*")
_CAUSE = re.compile(
    r"\b(?:because|reasons?|due to|so that|in order to|since|as a result|caused by|leads? to)\b",
    re.IGNORECASE,
)
# A sentence opening with one of these leans on the one before it in its passage.
_CONTINUES = re.compile(
    r"^\W*(?:it|its|this|these|that|those|they|them|their|such|however|but|thus|therefore|"
    r"also|instead|otherwise|so|as of|as a result|only|then|here|for example)\b",
    re.IGNORECASE,
)

KIND_BONUS = 0.2  # a sentence of the kind the question asks for (a figure, a cause) gains this
CONTINUE_GAP = 0.1  # a sentence that goes on from another scores at most this much below it


def asked_kind(question: str) -> str | None:
    """ "figure" ("how many…", "which release…"), "cause" ("why…"), or None."""
    if _FIGURE_QUESTION.search(question):
        return "figure"
    if _CAUSE_QUESTION.search(question):
        return "cause"
    return None


def is_kind(kind: str | None, question: str, sentence: str) -> bool:
    """Whether `sentence` gives what `kind` asks for: a figure the question does not already
    hold ("Go 1.5", "50,000"), or a cause ("because", "the reason")."""
    if kind == "figure":
        figures = set(_FIGURE.findall(_LINK.sub(" ", sentence)))
        return bool(figures - set(_FIGURE.findall(question)))
    if kind == "cause":
        return _CAUSE.search(sentence) is not None
    return False


def continues(previous: str, sentence: str, *, previous_is_heading: bool) -> bool:
    """Whether `sentence` goes on from `previous`, the sentence just before it: the text
    under a heading, the item after a colon, or a sentence opening with "It"/"These"/"But"."""
    return (
        previous_is_heading
        or previous.rstrip().endswith(":")
        or _CONTINUES.match(sentence) is not None
    )
