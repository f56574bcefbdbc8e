"""Scoring one answer against a QA item: facts, citations, declines, unsupported sentences.

The rules are those of ../shared/eval/docs-qa/README.md."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from localchat.answer.words import content_stems
from localchat.chat.citations import MARKER, _numbers

# A sentence of a shown answer counts as unsupported when less than this share of its content
# words occurs in the sources it cites (all shown sources when it cites none). Deliberately a
# different, simpler test than the verifier's (no embeddings), so the rate can expose it.
EVAL_SUPPORT_SHARE = 0.5
_DECLINE = re.compile(
    r"(?:don't|do not|doesn't|does not|can't|cannot|couldn't) (?:seem to )?"
    r"(?:cover|know|find|answer|contain|mention|say)|not (?:in|covered by) (?:the|your) "
    r"(?:documents|sources)|no information",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_VERDICT_ONLY = re.compile(r"^(?:yes|no|the evidence is mixed)\.$", re.IGNORECASE)


class QAItem(msgspec.Struct):
    id: str
    question: str
    file: str | None = None
    page: int | None = None
    answer: str | None = None
    facts: list[str] = []
    evidence: str | None = None
    alt_files: list[str] = []

    @property
    def answerable(self) -> bool:
        return self.answer is not None


class Scored(msgspec.Struct):
    id: str
    answerable: bool
    correct: bool
    declined: bool
    cited: int  # cited sources (distinct)
    cited_right: int  # of those, the right file (and page)
    sentences: int
    unsupported: int
    ttft_ms: float
    total_ms: float
    answer: str


def flat(text: str) -> str:
    return " ".join(text.lower().split())


def is_decline(content: str, declined_flag: bool) -> bool:
    return declined_flag or _DECLINE.search(content) is not None


def cited_indexes(content: str) -> list[int]:
    found = [n for m in MARKER.finditer(content) for n in _numbers(m.group())]
    return list(dict.fromkeys(found))


def right_source(item: QAItem, source: dict[str, Any]) -> bool:
    files = {item.file, *item.alt_files} - {None}
    if source.get("filename") not in files:
        return False
    # A page is only checked on the file it was given for (its Markdown twin has none).
    if item.page is None or source.get("filename") != item.file:
        return True
    return source.get("page") == item.page


def unsupported_sentences(content: str, sources: dict[int, str]) -> tuple[int, int]:
    """(sentences, unsupported ones) of a shown answer, by EVAL_SUPPORT_SHARE."""
    total = unsupported = 0
    for sentence in _SENTENCE.split(content.strip()):
        plain = MARKER.sub("", sentence).strip()
        words = content_stems(plain)
        if not plain or _VERDICT_ONLY.match(plain) or len(words) < 2:
            continue
        total += 1
        cited = [n for n in cited_indexes(sentence) if n in sources] or list(sources)
        known = set().union(*(content_stems(sources[n]) for n in cited)) if cited else set()
        if len(words & known) / len(words) < EVAL_SUPPORT_SHARE:
            unsupported += 1
    return total, unsupported


def score_answer(item: QAItem, result, ttft_ms: float, total_ms: float) -> Scored:
    """One QA item's result (a ChatResult) scored."""
    content = result.content
    # Scored as JSON-shaped entries (as `sources[]` reads on the wire).
    by_index = {s.index: msgspec.to_builtins(s) for s in result.sources}
    cited = [by_index[n] for n in cited_indexes(content) if n in by_index]
    declined = is_decline(content, getattr(result, "declined", False))
    correct = item.answerable and all(flat(f) in flat(content) for f in item.facts)
    texts = {n: s.get("text", s.get("preview", "")) for n, s in by_index.items()}
    sentences, unsupported = unsupported_sentences(content, texts) if not declined else (0, 0)
    return Scored(
        id=item.id,
        answerable=item.answerable,
        correct=bool(correct),
        declined=declined,
        cited=len(cited),
        cited_right=sum(right_source(item, s) for s in cited),
        sentences=sentences,
        unsupported=unsupported,
        ttft_ms=round(ttft_ms, 1),
        total_ms=round(total_ms, 1),
        answer=content,
    )
