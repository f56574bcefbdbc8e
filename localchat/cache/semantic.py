"""The semantic tier's matching: a new question close enough to a cached one reuses its answer."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

import msgspec
import numpy as np
from rapidfuzz import fuzz

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+")
# Words that flip or narrow a question's meaning while barely changing its text or embedding
# ("t" is what normalising leaves of "n't": "isn't" → "isn t").
_POLARITY = frozenset({
    "not", "no", "never", "none", "nothing", "without", "except", "unless", "cannot", "nor",
    "neither", "t", "cant", "dont", "doesnt", "isnt", "arent", "wont", "shouldnt", "didnt",
    "wasnt", "werent",
})  # fmt: skip


class Candidate(msgspec.Struct, frozen=True):
    """A cached question, stored beside the answer it leads to."""

    question: str  # normalised
    vector: bytes  # float32 query embedding, unit length
    answer_key: str


class Match(msgspec.Struct, frozen=True):
    answer_key: str
    fuzzy: float  # rapidfuzz ratio of the normalised texts, 0..100
    cosine: float | None  # None when the fuzzy score alone decided


def normalise(question: str) -> str:
    """Case, accents' composition, punctuation and spacing removed from the comparison."""
    text = unicodedata.normalize("NFKC", question).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def same_specifics(a: str, b: str) -> bool:
    """Normalised questions that differ in a number ("section 3" / "section 4") or in a
    negation ("safe" / "not safe") ask different things, however close they look."""
    if _NUMBER.findall(a) != _NUMBER.findall(b):
        return False
    return _POLARITY.intersection(a.split()) == _POLARITY.intersection(b.split())


def best_match(
    question: str,
    candidates: Sequence[Candidate],
    embed: Callable[[str], np.ndarray],
    *,
    fuzzy_threshold: float,
    cosine_threshold: float,
) -> Match | None:
    """The closest candidate if its text ratio or its embedding cosine reaches the threshold.

    Text is compared first because it is nearly free; the question is only embedded when no
    candidate is textually close and the cosine threshold can still be met (≤ 1).
    """
    text = normalise(question)
    candidates = [c for c in candidates if same_specifics(text, c.question)]
    if not candidates:
        return None
    ratios = [fuzz.ratio(text, c.question) for c in candidates]
    best = int(np.argmax(ratios))
    if ratios[best] >= fuzzy_threshold:
        return Match(candidates[best].answer_key, float(ratios[best]), None)
    if cosine_threshold > 1.0:
        return None
    query = np.asarray(embed(question), dtype=np.float32)
    vectors = np.vstack([np.frombuffer(c.vector, dtype=np.float32) for c in candidates])
    if vectors.shape[1] != query.shape[0]:
        return None  # vectors from another model cannot be compared
    cosines = vectors @ query
    best = int(np.argmax(cosines))
    if float(cosines[best]) >= cosine_threshold:
        return Match(candidates[best].answer_key, float(ratios[best]), float(cosines[best]))
    return None
