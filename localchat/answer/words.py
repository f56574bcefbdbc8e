"""Content words and crude stems: the lexical half of evidence scoring and verification."""

from __future__ import annotations

import re

from localchat.retrieval.query import STOP_WORDS

_WORD = re.compile(r"[^\W_]+(?:[-'.,][^\W_]+)*", re.UNICODE)
STEM_CHARS = 6  # words agree on their first six letters: "produce"/"produced"/"producing"


def stem(word: str) -> str:
    word = word.lower()
    if word.isdigit() or len(word) <= 3:
        return word
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:STEM_CHARS]


def content_stems(text: str) -> set[str]:
    """Stems of the words of `text` that carry meaning (no stop words, no single letters).

    Numbers keep their inner punctuation ("50,000", "25.1707") so a figure matches whole."""
    out = set()
    for word in _WORD.findall(text):
        lower = word.lower()
        if lower in STOP_WORDS or (len(lower) < 2 and not lower.isdigit()):
            continue
        out.add(stem(lower))
        for part in re.split(r"[-'.,]", lower) if not _is_number(lower) else ():
            if part and part not in STOP_WORDS and len(part) > 1:
                out.add(stem(part))
    return out


def _is_number(word: str) -> bool:
    return word.replace(",", "").replace(".", "").isdigit()


def acronyms(text: str) -> set[str]:
    """Initials of each run of 2-3 consecutive content words: "intermediate representation"
    → "ir", "flight control computer" → "fcc", so a question written out matches a source
    that abbreviates (technical documents mostly do)."""
    words = [w.lower() for w in _WORD.findall(text)]
    out = set()
    run: list[str] = []
    for word in [*words, ""]:
        if word and word not in STOP_WORDS and word[0].isalpha():
            run.append(word)
            continue
        for size in (2, 3):
            out.update("".join(w[0] for w in run[i : i + size]) for i in range(len(run) - size + 1))
        run = []
    return out
