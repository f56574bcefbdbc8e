"""Is an answer sentence supported by its sources? Content-word overlap plus embedding cosine.

The thresholds are set by hand, not yet tuned: the overlap share matches attribution.py's, and
the docs-qa generative run (docs/benchmarks.md "Answer quality") shows the cosine rule lets some
inventions through. docs/api.md names them.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from localchat.answer.evidence import Embed, EvidenceItem
from localchat.answer.words import content_stems

SUPPORT_OVERLAP = 0.75  # share of the sentence's content words found in one source: supported
SUPPORT_COSINE = 0.70  # or: cosine to one evidence sentence of that source at least this …
SUPPORT_OVERLAP_WITH_COSINE = 0.4  # … together with at least this share of its words
MIN_CONTENT_WORDS = 2  # fewer ("Yes.", "In short:") is connective text, kept without a check
# What the answer cache key records of verification (a change makes old answers unreachable).
VERIFICATION = (SUPPORT_OVERLAP, SUPPORT_COSINE, SUPPORT_OVERLAP_WITH_COSINE, MIN_CONTENT_WORDS)


class Support(msgspec.Struct, frozen=True):
    supported: bool
    source: int | None  # the source that supports it best
    overlap: float
    cosine: float
    checked: bool = True  # False: too short to check (kept as connective text)


def check_sentence(
    sentence: str,
    cited: Sequence[int],
    texts: dict[int, str],
    evidence: Sequence[EvidenceItem],
    embed: Embed,
) -> Support:
    """Support of `sentence` by the sources it cites (`cited`), or by any when it cites none.

    `texts` maps source index → chunk text; `evidence` holds the quoted sentences."""
    words = content_stems(sentence)
    if len(words) < MIN_CONTENT_WORDS:
        return Support(True, None, 1.0, 1.0, checked=False)
    pool = [n for n in cited if n in texts] or list(texts)
    overlaps = {n: len(words & content_stems(texts[n])) / len(words) for n in pool}
    cosines = _cosines(sentence, pool, evidence, embed)
    best = max(pool, key=lambda n: (overlaps[n] + cosines.get(n, 0.0), -n), default=None)
    if best is None:
        return Support(False, None, 0.0, 0.0)
    overlap, cosine = overlaps[best], cosines.get(best, 0.0)
    supported = overlap >= SUPPORT_OVERLAP or (
        cosine >= SUPPORT_COSINE and overlap >= SUPPORT_OVERLAP_WITH_COSINE
    )
    return Support(supported, best, round(overlap, 4), round(cosine, 4))


def _cosines(
    sentence: str, pool: Sequence[int], evidence: Sequence[EvidenceItem], embed: Embed
) -> dict[int, float]:
    items = [item for item in evidence if item.source in pool]
    if not items:
        return {}
    vectors = embed([sentence] + [item.text for item in items])
    best: dict[int, float] = {}
    for item, cosine in zip(items, vectors[1:] @ vectors[0], strict=True):
        best[item.source] = max(best.get(item.source, -1.0), float(cosine))
    return best
