"""Whether the retrieved passages cover the question at all: the decision to decline.

Three signals, because no one of them separates answerable from unanswerable questions on
both eval sets (docs/benchmarks.md "Declining"):

- **The thing asked for is never named.** "What torque should be applied…?" asks for a
  torque; when no chunk of the library holds the word, no passage can give one, however
  well the rest of the question ("Boots self-locking nut") matches.
- **Support**: the best evidence sentence's score against the question (evidence.py).
- **Coverage**: the share of the question's content words, weighted by their rarity in the
  library, that occur anywhere in the passages the evidence was taken from. A question whose
  best sentence is a weak match *and* whose rarer words the passages do not hold ("took
  delivery of the first …") is about something else; a weak best sentence alone is not
  enough (the answer is often worded differently: "what problem" / "the unsafe condition").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import msgspec

from localchat.answer.cues import FORM_WORDS, focus_word
from localchat.answer.evidence import Evidence
from localchat.answer.words import content_stems
from localchat.retrieval.query import query_terms

# Defaults of rag.decline_score / rag.decline_coverage (tuned on all 30 docs-qa questions and
# 400 PubMedQA ones, docs/benchmarks.md "Declining").
DECLINE_SCORE = 0.84
DECLINE_COVERAGE = 0.67
# Below this support no sentence is near the question, whatever the coverage.
SUPPORT_FLOOR = 0.6

# words -> ({word: chunks of the library holding it}, chunks in all)
WordCounts = Callable[[Sequence[str]], tuple[Mapping[str, int], int]]


class Decision(msgspec.Struct, frozen=True):
    covered: bool
    reason: str  # "" when covered; "unnamed", "support" or "coverage"
    support: float
    coverage: float
    missing: str = ""  # for "unnamed": the word the library never holds


def coverage(question: str, passages: Sequence[str], counts: Mapping[str, int], rows: int) -> float:
    """The idf-weighted share of the question's content words found in `passages`
    (counts: chunks of the library holding each word; rows: chunks in all)."""
    words = [w for w in query_terms(question) if w not in FORM_WORDS]
    if not words:
        return 1.0
    held = set().union(*(content_stems(text) for text in passages)) if passages else set()
    weights = {w: math.log(1 + rows / (1 + counts.get(w, 0))) for w in words}
    inside = sum(weights[w] for w in words if content_stems(w) & held)
    return inside / sum(weights.values())


def decide(
    question: str,
    evidence: Evidence,
    passages: Sequence[str],
    counts: WordCounts,
    *,
    score: float = DECLINE_SCORE,
    min_coverage: float = DECLINE_COVERAGE,
) -> Decision:
    """Whether to answer from the evidence. A `score` of 0 turns declining off."""
    support = max((item.support for item in evidence.items), default=0.0)
    if score <= 0:
        return Decision(True, "", support, 1.0)
    focus = focus_word(question)
    words = [w for w in query_terms(question) if w not in FORM_WORDS]
    known, rows = counts(sorted({*words, *([focus.lower()] if focus else [])}))
    if focus is not None and known.get(focus.lower(), 0) == 0:
        return Decision(False, "unnamed", support, 0.0, missing=focus)
    share = coverage(question, passages, known, rows)
    if support < min(SUPPORT_FLOOR, score) or not evidence.items:
        return Decision(False, "support", support, share)
    if support < score and share < min_coverage:
        return Decision(False, "coverage", support, share)
    return Decision(True, "", support, share)
