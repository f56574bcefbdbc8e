"""Find and mark the part of a passage an answer cites, and turn markers into links."""

from __future__ import annotations

import re

from textual.content import Content

from localchat.retrieval.query import query_terms
from tui.sanitize import clean

MARKER = re.compile(r"\[(\d{1,3})\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*[-*•]|\s*\d+\.)")
CITED_STYLE = "bold $text-accent on $accent-muted"
TERM_STYLE = "underline"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence-like piece of text, whitespace trimmed."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        piece = text[begin:end]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            trimmed.append((begin + lead, begin + len(piece.rstrip())))
    return trimmed


def citing_text(answer: str, index: int) -> str:
    """The answer's sentences that carry the marker [index] (joined), or "" if none do."""
    marker = f"[{index}]"
    return " ".join(answer[a:b] for a, b in sentence_spans(answer) if marker in answer[a:b])


def cited_span(passage: str, citing: str) -> tuple[int, int] | None:
    """The passage sentence sharing the most content words with the citing sentences."""
    wanted = set(query_terms(MARKER.sub(" ", citing)))
    if not wanted:
        return None
    best, best_score = None, 0
    for start, end in sentence_spans(passage):
        score = len(wanted & set(query_terms(passage[start:end])))
        if score > best_score:
            best, best_score = (start, end), score
    # One shared word is chance in a long passage; ask for two unless the citation is tiny.
    return best if best_score >= min(2, len(wanted)) else None


def highlighted_passage(passage: str, answer: str, index: int, question: str = "") -> Content:
    """The whole passage as Content: the cited sentence marked, the question's words underlined."""
    text = clean(passage)
    content = Content(text)
    span = cited_span(text, citing_text(answer, index))
    if span is not None:
        content = content.stylize(CITED_STYLE, *span)
    for term in query_terms(question):
        for match in re.finditer(rf"\b{re.escape(term)}\b", text, re.IGNORECASE):
            content = content.stylize(TERM_STYLE, match.start(), match.end())
    return content


def link_markers(markdown: str, valid: set[int]) -> str:
    """Markdown where each [n] naming a source becomes a link the Chat screen can follow."""

    def link(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if number not in valid:
            return match.group(0)
        return f"[\\[{number}\\]](source:{number})"

    return MARKER.sub(link, markdown)
