"""Is an answer sentence supported by its sources? Content-word overlap plus embedding cosine.

A sentence is supported by one source when ≥ 80% of its content words occur in it, or its
cosine to one of that source's evidence sentences is ≥ 0.65 with ≥ 40% of its words, and in
both cases every name and figure it states ("Go 1.5", "GENERIC", "-fgo-prefix") occurs there.
Tuned with `python -m bench.answer_support` on docs-qa (docs/benchmarks.md "Answer quality"):
all 27 reference paraphrases kept, 14 of 36 one-fact swaps and 0 of 685 other questions'
answers let through. docs/api.md names the rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

from localchat.answer.evidence import Embed, EvidenceItem
from localchat.answer.words import acronyms, content_stems
from localchat.sanitize import clean

SUPPORT_OVERLAP = 0.80  # share of the sentence's content words found in one source: supported
SUPPORT_COSINE = 0.65  # or: cosine to one evidence sentence of that source at least this …
SUPPORT_OVERLAP_WITH_COSINE = 0.4  # … together with at least this share of its words
MIN_CONTENT_WORDS = 2  # fewer: kept only as a bare name found in a source ("GENERIC.")
# The only text kept without any check: a verdict or a connective that claims nothing.
_CONNECTIVE = re.compile(
    r"^\W*(?:yes|no|maybe|the evidence is mixed|in short|in summary|to sum up|however|also|"
    r"for example|see also)\W*$",
    re.IGNORECASE,
)
# Names and figures a sentence states ("Go 1.5", "50,000", "GENERIC", "-fgo-prefix",
# "MixedCaps"): each must occur in the supporting source. Overlap and cosine cannot see one
# swapped fact in an otherwise copied sentence; this catches the names and numbers kind.
_ANCHOR = re.compile(
    r"(?<![\w-])(?:\S*\d\S*|[A-Za-z]*[A-Z][A-Za-z]*[A-Z0-9][\w-]*|\w+_[\w]+|--?[a-z][\w-]+)"
)
ANCHOR_RULE = 1.2  # version of the names-and-figures rule, for the cache key
# What the answer cache key records of verification (a change makes old answers unreachable).
VERIFICATION = (
    SUPPORT_OVERLAP,
    SUPPORT_COSINE,
    SUPPORT_OVERLAP_WITH_COSINE,
    MIN_CONTENT_WORDS,
    ANCHOR_RULE,
)


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

    `texts` maps source index → chunk text; `evidence` holds the quoted sentences. Terminal
    escape sequences a model may emit ("\x1b[31m", "\x1b]0;title\x07") are no words, names
    or figures of the sentence: it is checked as front ends show it (localchat.sanitize)."""
    sentence = clean(sentence)
    words = content_stems(sentence)
    if _CONNECTIVE.match(sentence):
        return Support(True, None, 1.0, 1.0, checked=False)
    pool = [n for n in cited if n in texts] or list(texts)
    if len(words) < MIN_CONTENT_WORDS:
        # Too short for a cosine to mean anything. A bare name ("GENERIC.") answers a "what"
        # question and is kept when a source it may cite holds it; anything else this short
        # claims nothing a reader can use ("Ignore that.", "Here are some examples:", and the
        # "1 [1]." a 135M model writes when it starts a list) and is dropped.
        named = any(re.search(r"[A-Za-z]", anchor) for anchor in _ANCHOR.findall(sentence))
        holding = [n for n in pool if named and words and words <= content_stems(texts[n])]
        return Support(bool(holding), holding[0] if holding else None, float(bool(holding)), 0.0)
    overlaps = {n: len(words & content_stems(texts[n])) / len(words) for n in pool}
    cosines = _cosines(sentence, pool, evidence, embed)
    best = max(pool, key=lambda n: (overlaps[n] + cosines.get(n, 0.0), -n), default=None)
    if best is None:
        return Support(False, None, 0.0, 0.0)
    overlap, cosine = overlaps[best], cosines.get(best, 0.0)
    supported = overlap >= SUPPORT_OVERLAP or (
        cosine >= SUPPORT_COSINE and overlap >= SUPPORT_OVERLAP_WITH_COSINE
    )
    supported = supported and not unsupported_anchors(sentence, texts[best])
    return Support(supported, best, round(overlap, 4), round(cosine, 4))


def unsupported_anchors(sentence: str, source: str) -> set[str]:
    """The names and figures of `sentence` (_ANCHOR) whose words `source` does not hold."""
    known = content_stems(source)
    initials: set[str] | None = None
    missing = set()
    for anchor in _ANCHOR.findall(clean(sentence)):
        bare = anchor.strip(".,;:()[]\"'`*")
        stems = content_stems(bare)
        if not stems or stems <= known:
            continue
        if bare.isupper() and bare.isalpha() and len(bare) <= 4:  # "IR" for the words
            initials = acronyms(source) if initials is None else initials
            if bare.lower() in initials:
                continue
        missing.add(anchor)
    return missing


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
