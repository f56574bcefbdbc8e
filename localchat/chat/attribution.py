"""Citations the model did not write: a sentence taken from one source gets that source's [n].

Small models (the bundled 135M one above all) often answer from the sources without writing
a single marker. A sentence whose content words nearly all occur in one source is attributed
to it; the chat service then inserts "[n]" before the sentence's final punctuation, so every
client (annotations, the TUI's links, `localchat ask`) sees an ordinary citation. Sentences
that are short or share too little with every source stay uncited: a wrong citation is worse
than none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from localchat.chat.types import Source
from localchat.retrieval.query import STOP_WORDS

MIN_WORDS = 4  # a sentence with fewer content words is too short to attribute by its words
MIN_SHARE = 0.75  # share of the sentence's content words that one source must contain
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def content_words(text: str) -> set[str]:
    """Lower-cased words of text without stop words or single letters."""
    words = (w.lower() for w in _WORD.findall(text))
    return {w for w in words if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())}


class Attributor:
    """Finds the source a sentence comes from, if one clearly does."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self._sources = [(source.index, content_words(source.text)) for source in sources]

    def source_of(self, sentence: str) -> int | None:
        """The index of the source holding the largest share (≥ MIN_SHARE) of the sentence's
        content words; ties go to the earlier (more relevant) source."""
        words = content_words(sentence)
        if len(words) < MIN_WORDS:
            return None
        best, best_share = None, MIN_SHARE
        for index, known in self._sources:
            share = len(words & known) / len(words)
            if share > best_share or (best is None and share >= best_share):
                best, best_share = index, share
        return best
