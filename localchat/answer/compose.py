"""Answers made from evidence without a generator: quotes, a yes/no verdict, a plain decline."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from localchat.answer.cues import is_yes_no
from localchat.answer.evidence import Evidence, EvidenceItem
from localchat.answer.words import content_stems

MAX_SENTENCES = 3
MAX_WORDS = 80
# A sentence far below the best one is another topic, not more of the answer.
KEEP_WITHIN = 0.16
DECLINE_ANSWER = (
    "Your documents don't seem to cover this, so I can't answer it from them. "
    "Try rephrasing the question, or add documents that cover it."
)
UNNAMED_ANSWER = (
    "Your documents never mention \u201c{word}\u201d, so I can't answer this from them. "
    "Try rephrasing the question, or add documents that cover it."
)


def decline_answer(missing: str = "") -> str:
    """The plain decline; naming the word the library never holds when that was the reason."""
    return UNNAMED_ANSWER.format(word=missing) if missing else DECLINE_ANSWER


_NEGATIVE = re.compile(
    r"\b(?:no|not|neither|nor|none|without|cannot|unlikely|fail(?:s|ed)? to|did not|does not|"
    r"do not|was not|were not|is not|are not|no significant|not significant|unchanged|"
    r"insignificant|lack of)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:may|might|unclear|inconclusive|conflicting|controversial|further (?:studies|"
    r"research)|remains? to be|mixed|limited evidence)\b",
    re.IGNORECASE,
)
NEGATION_SCOPE = 5  # words after a negation that it governs ("did not lower the risk")
# Negations that follow what they deny ("mortality was unchanged"): the words before count too.
_POSTFIX = re.compile(r"unchanged|insignificant|not significant|unlikely", re.IGNORECASE)
_SCOPE_WORD = re.compile(r"[\w'-]+")
_MARKER_LIKE = re.compile(r"\[(\d{1,4}(?:\s*[,;–-]\s*\d{1,4})*)\]")

VERDICTS = {"yes": "Yes.", "no": "No.", "maybe": "The evidence is mixed."}


def answer_items(evidence: Evidence) -> list[EvidenceItem]:
    """The quotes an extractive answer shows: the best sentence, then close runners-up, ≤ 3
    sentences / 80 words. Headings are never quoted; a sentence that goes on from the one
    before it (item.follows) is shown after that one, in the passage's order."""
    quotable = [item for item in evidence.items if not item.heading]
    if not quotable:
        return []
    floor = max(item.score for item in quotable) - KEEP_WITHIN
    chosen: list[EvidenceItem] = []
    words = 0
    for item in sorted(quotable, key=lambda i: -i.score):
        if item in chosen:
            continue
        if chosen and item.score < floor:
            continue
        group = _group(item, quotable, chosen, words)
        if not group:
            continue
        length = sum(len(i.text.split()) for i in group)
        chosen.extend(group)
        words += length
        if len(chosen) >= MAX_SENTENCES:
            break
    return _in_reading_order(chosen)


def _group(
    item: EvidenceItem, items: Sequence[EvidenceItem], chosen: list[EvidenceItem], words: int
) -> list[EvidenceItem]:
    """[the sentence item goes on from, item] when both fit the limits, else [item] when it
    fits, else []."""
    before = _before(item, items)
    options = [[before, item]] if before is not None and before not in chosen else []
    for group in [*options, [item]]:
        length = sum(len(i.text.split()) for i in group)
        fits = len(chosen) + len(group) <= MAX_SENTENCES and words + length <= MAX_WORDS
        if fits or not chosen:
            return group
    return []


def _before(item: EvidenceItem, items: Sequence[EvidenceItem]) -> EvidenceItem | None:
    """The sentence `item` goes on from, when it does and that one is evidence too."""
    if not item.follows:
        return None
    return next((i for i in items if i.text == item.previous), None)


def _in_reading_order(items: list[EvidenceItem]) -> list[EvidenceItem]:
    """Best first, but sentences of one passage that follow one another stay in order."""
    out: list[EvidenceItem] = []
    for item in items:
        if item in out:
            continue
        run = sorted(
            (i for i in items if i.chunk_id == item.chunk_id and i not in out),
            key=lambda i: i.start,
        )
        out.extend(run if _adjacent(run) else [item])
    return out


def _adjacent(run: list[EvidenceItem]) -> bool:
    return all(b.start - a.end <= 3 for a, b in itertools.pairwise(run))


def quote_sentence(item: EvidenceItem) -> str:
    """One quoted sentence on one line with its marker before the final stop: "… is X [2]."."""
    text = _MARKER_LIKE.sub(lambda m: "(" + m.group(1) + ")", " ".join(item.text.split()))
    stop = text[-1] if text[-1] in ".!?" else "."
    body = text[:-1] if text[-1] in ".!?" else text
    return f"{body} [{item.source}]{stop}"


def extractive_answer(evidence: Evidence, question: str) -> str:
    items = answer_items(evidence)
    if not items:
        return DECLINE_ANSWER
    quotes = " ".join(quote_sentence(item) for item in items)
    if is_yes_no(question):
        return f"{VERDICTS[verdict(items, question)]} {quotes}"
    return quotes


def verdict(items: Sequence[EvidenceItem], question: str | None = None) -> str:
    """yes / no / maybe from the wording of the best evidence: negation says no, hedging maybe.

    Weighted by rank so the best sentence counts most. With the `question`, a negation counts
    only when it denies something the question asks about (denies)."""
    asked = content_stems(question) if question is not None else None
    score = 0.0
    hedges = 0.0
    for rank, item in enumerate(items[:3]):
        weight = 1.0 / (rank + 1)
        # The heading or lead a sentence goes on from is part of what it says: an FAQ's
        # "Why does Go not have exceptions?" above "We believe that coupling exceptions…".
        if denies(item.text, asked) or (item.previous and denies(item.previous, asked)):
            score -= weight
        else:
            score += weight
        if _HEDGE.search(item.text):
            hedges += weight
    if hedges > 1.0 and abs(score) < 1.0:
        return "maybe"
    return "yes" if score >= 0 else "no"


def denies(text: str, asked: set[str] | None) -> bool:
    """Whether `text` negates what the question asks (`asked`: its content stems; None: any
    negation counts). "Statins did not lower the risk" denies "Do statins lower…"; "Go does
    not have these concepts, which makes generic types simpler" does not deny "Does Go
    support generics?": the words a negation governs, the NEGATION_SCOPE words after it (and
    before "unchanged", "not significant"), must include one of the question's."""
    if asked is None:
        return _NEGATIVE.search(text) is not None
    for match in _NEGATIVE.finditer(text):
        scope = _SCOPE_WORD.findall(text[match.end() :])[:NEGATION_SCOPE]
        if _POSTFIX.fullmatch(match.group()):
            scope += _SCOPE_WORD.findall(text[: match.start()])[-NEGATION_SCOPE:]
        if content_stems(" ".join(scope)) & asked:
            return True
    return False
