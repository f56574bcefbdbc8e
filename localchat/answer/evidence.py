"""Evidence selection: the few sentences of the retrieved passages that answer the question.

Every sentence of the best passages is scored against the question by the cosine of its own
embedding to the query's (a chunk's vector blurs a 1,000-character passage into one point)
plus how much of the question's content it shares, weighted by rarity among the candidate
sentences (a BM25-like idf). The best few are kept, with the sentence before one that opens
with a reference word ("It", "This") so the quote still makes sense alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import msgspec
import numpy as np

from localchat.answer.cues import (
    CONTINUE_GAP,
    ECHO_PENALTY,
    FOCUS_BONUS,
    KIND_BONUS,
    NAMES,
    about_focus,
    asked_kind,
    continues,
    defines,
    echoes,
    focus_head,
    focus_word,
    is_kind,
)
from localchat.answer.sentences import Sentence, is_heading, is_prose, split_sentences
from localchat.answer.words import acronyms, content_stems
from localchat.chat.types import Source

PASSAGES = 6  # sources whose sentences are candidates (the rest are rarely the answer)
MAX_ITEMS = 6
BUDGET_CHARS = 1600  # ~400 tokens of English for the generator to read
LEXICAL_WEIGHT = 0.5  # a sentence holding all the question's rare words gains 0.5 cosine
FEEDBACK_WEIGHT = 0.15  # sentences repeating a top one's rare new words (feedback_scores)
RANK_WEIGHT = 0.1  # the retriever's fused relevance breaks near ties
FEEDBACK_TOP = 3  # sentences whose rare new words feed back
FEEDBACK_RARE = 4  # a word in at most this many candidate sentences is rare
# A sentence that abbreviates the question's words ("IR" for "intermediate representation")
# shares nothing with it word for word; this much lexical share stands in.
ACRONYM_BONUS = 0.3
NAMED_BONUS = 0.25  # see named_followers
_CAPITALS = re.compile(r"\b[A-Z]{2,4}\b")
_NEEDS_CONTEXT = re.compile(
    r"^(?:it|its|this|these|that|those|they|them|their|such|he|she|however|thus|therefore|"
    r"also|instead|otherwise)\b",
    re.IGNORECASE,
)

Embed = Callable[[Sequence[str]], np.ndarray]


class EvidenceItem(msgspec.Struct, frozen=True):
    source: int  # the Source.index it quotes
    chunk_id: int
    document_id: int
    filename: str
    page: int
    chunk_index: int
    start: int  # offsets of the quote in the chunk's text
    end: int
    text: str
    score: float
    cosine: float
    lexical: float  # share of the question's (idf-weighted) content words it holds
    heading: bool = False  # a heading or bare title: scored, never quoted
    previous: str = ""  # the sentence just before it in its passage that it goes on from
    kind_bonus: float = 0.0  # part of score from giving the kind of answer asked (cues.py)

    @property
    def follows(self) -> bool:
        return bool(self.previous)

    @property
    def support(self) -> float:
        """How well the sentence matches the question itself: the score without the answer-
        kind cue (a figure in a sentence says nothing about whether it is on topic)."""
        return self.score - self.kind_bonus


class Evidence(msgspec.Struct, frozen=True):
    items: list[EvidenceItem]  # best first (a context sentence just before the one it serves)
    candidates: int  # sentences scored

    @property
    def best(self) -> EvidenceItem | None:
        return max(self.items, key=lambda item: item.score) if self.items else None


def select_evidence(
    question: str,
    sources: Sequence[Source],
    embed: Embed,
    *,
    passages: int = PASSAGES,
    max_items: int = MAX_ITEMS,
    budget_chars: int = BUDGET_CHARS,
) -> Evidence:
    """The evidence set for `question` from the first `passages` sources (in the order given)."""
    candidates, previous = _distinct(sources[:passages])
    if not candidates:
        return Evidence([], 0)
    vectors = embed([question] + [sentence.text for _, sentence in candidates])
    cosines = vectors[1:] @ vectors[0]
    stems = [content_stems(sentence.text) for _, sentence in candidates]
    asked = content_stems(question)
    short = {a.upper() for a in acronyms(question)}
    lexical = [
        lex + ACRONYM_BONUS * bool(short & set(_CAPITALS.findall(sentence.text)))
        for lex, (_, sentence) in zip(lexical_scores(asked, stems), candidates, strict=True)
    ]
    first = [float(c) + LEXICAL_WEIGHT * lex for c, lex in zip(cosines, lexical, strict=True)]
    top = sorted(range(len(first)), key=lambda i: -first[i])[:FEEDBACK_TOP]
    follow = feedback_scores(asked, stems, top)
    named = {f for t in top for f in named_followers(candidates, t)}
    for i in named:
        follow[i] += NAMED_BONUS / FEEDBACK_WEIGHT
    base = [
        float(cos) + LEXICAL_WEIGHT * lex + FEEDBACK_WEIGHT * more + RANK_WEIGHT * source.relevance
        for (source, _), cos, lex, more in zip(candidates, cosines, lexical, follow, strict=True)
    ]
    kind = asked_kind(question)
    texts = [s.text for _, s in candidates]
    about = about_focus(focus_word(question), texts, stems)
    defined = defines(focus_head(question), texts)
    echo = echoes(question, asked, stems)
    scored = []
    for i, ((source, sentence), cos, lex) in enumerate(
        zip(candidates, cosines, lexical, strict=True)
    ):
        j = previous[i]
        follows = j >= 0
        score = max(base[i], base[j] - CONTINUE_GAP) if follows else base[i]
        on_focus = about[i] or defined[i]
        bonus = KIND_BONUS * is_kind(kind, question, sentence.text) + FOCUS_BONUS * on_focus
        bonus -= ECHO_PENALTY * echo[i]
        before = candidates[j][1].text if follows else ""
        item = _item(source, sentence, float(cos), lex, score + bonus, before)
        scored.append(msgspec.structs.replace(item, kind_bonus=bonus))
    # The best sentences once every score is in (a definition can rise by what it goes on
    # from, after the first pass chose whose names to follow) name terms too.
    best = sorted(range(len(scored)), key=lambda i: -scored[i].score)[:FEEDBACK_TOP]
    for i in {f for t in best for f in named_followers(candidates, t)} - named:
        raised = round(scored[i].score + NAMED_BONUS, 4)
        scored[i] = msgspec.structs.replace(scored[i], score=raised)
    order = sorted(range(len(scored)), key=lambda i: -scored[i].score)
    chosen: list[int] = []
    used = 0
    for i in order:
        if len(chosen) >= max_items or (chosen and used + len(scored[i].text) > budget_chars):
            break
        for j in _with_context(i, candidates, previous):
            if j not in chosen:
                chosen.append(j)
                used += len(scored[j].text)
    return Evidence([scored[i] for i in chosen], len(candidates))


def lexical_scores(question: set[str], sentences: Sequence[set[str]]) -> list[float]:
    """For each sentence, the idf-weighted share of the question's stems it contains."""
    if not question:
        return [0.0] * len(sentences)
    count = len(sentences)
    idf = {t: math.log(1 + count / (1 + sum(t in s for s in sentences))) for t in question}
    total = sum(idf.values())
    return [sum(idf[t] for t in question & s) / total for s in sentences]


def feedback_scores(asked: set[str], stems: Sequence[set[str]], top: Sequence[int]) -> list[float]:
    """Pseudo-relevance feedback: 1.0 for a sentence that repeats a rare new word (not in the
    question, in at most FEEDBACK_RARE candidates) of one of the `top` sentences but itself.
    The answer often goes on in a sentence that names what a good one introduced ("known as
    GOGO … This version of GOGO is converted to GENERIC")."""
    rare = {t for t in set().union(*(stems[i] for i in top)) - asked}
    rare = {t for t in rare if sum(t in s for s in stems) <= FEEDBACK_RARE}
    out = []
    for i, words in enumerate(stems):
        shared = any((words & stems[j] & rare) for j in top if j != i)
        out.append(1.0 if shared else 0.0)
    return out


def named_followers(candidates: list[tuple[Source, Sentence]], best: int) -> list[int]:
    """Sentences after a top one, in its passage, that mention a term it names ("… known as
    GOGO"): what a definition is followed by is usually what the question asks next."""
    named = NAMES.search(candidates[best][1].text)
    if named is None:
        return []
    term = re.compile(rf"\b{re.escape(named.group(1))}\b")
    source = candidates[best][0]
    return [
        i
        for i in range(best + 1, len(candidates))
        if candidates[i][0] is source and term.search(candidates[i][1].text)
    ]


def _distinct(sources: Sequence[Source]) -> tuple[list[tuple[Source, Sentence]], list[int]]:
    """Every sentence of the sources once, and for each the candidate it goes on from (-1:
    none). Overlapping chunks repeat their edges, and a chunk that begins inside a sentence
    ("of the goals of Go and how…") or a code block that interrupts one holds only its tail:
    both are left out."""
    seen: dict[str, int] = {}
    out: list[tuple[Source, Sentence]] = []
    before: list[str] = []  # the flat text of the sentence each one goes on from, or ""
    for source in sources:
        previous: Sentence | None = None
        for sentence in split_sentences(source.text):
            key = _flat(sentence.text)
            # A lower-case start at the chunk's edge or right after a code block is the rest
            # of a sentence cut off there ("declares `a` to be a pointer but not `b`; in Go").
            cut = sentence.text[0].islower() and (
                sentence.start == 0 or source.text[: sentence.start].rstrip().endswith("```")
            )
            if key not in seen and is_prose(sentence.text) and not cut:
                seen[key] = len(out)
                out.append((source, sentence))
                before.append(_flat(previous.text) if _goes_on(source, previous, sentence) else "")
            previous = sentence
    keys = [_flat(sentence.text) for _, sentence in out]
    longer = sorted(keys, key=len, reverse=True)
    keep = [not any(len(other) > len(key) and key in other for other in longer) for key in keys]
    index = {key: n for n, key in enumerate(k for k, kept in zip(keys, keep, strict=True) if kept)}
    pairs = [pair for pair, kept in zip(out, keep, strict=True) if kept]
    previous_of = [index.get(b, -1) for b, kept in zip(before, keep, strict=True) if kept]
    return pairs, previous_of


def _flat(text: str) -> str:
    return " ".join(text.lower().split())


def _goes_on(source: Source, previous: Sentence | None, sentence: Sentence) -> bool:
    """Whether `sentence` goes on from `previous`, the sentence just before it in `source`
    (nothing but white space between them, and a continuation cue: cues.continues)."""
    if previous is None or source.text[previous.end : sentence.start].strip():
        return False
    return continues(previous.text, sentence.text, previous_is_heading=is_heading(previous.text))


def _item(
    source: Source, sentence: Sentence, cosine: float, lexical: float, score: float, previous: str
) -> EvidenceItem:
    return EvidenceItem(
        source=source.index,
        chunk_id=source.chunk_id,
        document_id=source.document_id,
        filename=source.filename,
        page=source.page,
        chunk_index=source.chunk_index,
        start=sentence.start,
        end=sentence.end,
        text=sentence.text,
        score=round(score, 4),
        cosine=round(cosine, 4),
        lexical=round(lexical, 4),
        heading=is_heading(sentence.text),
        previous=previous,
    )


def _with_context(
    i: int, candidates: list[tuple[Source, Sentence]], previous: list[int]
) -> list[int]:
    """[the sentence i leans on, i] when it leans on one that is not a heading, else [i]."""
    source, sentence = candidates[i]
    if i > 0 and candidates[i - 1][0] is source and _NEEDS_CONTEXT.match(sentence.text):
        return [i - 1, i]
    j = previous[i]
    if j >= 0 and not is_heading(candidates[j][1].text):
        return [j, i]
    return [i]
