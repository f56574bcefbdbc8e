"""Cues of what answers a question: the kind of answer it asks for ("how many" asks for a
figure, "why" for a cause), and the sentences that go on from the one before them.

Both repair what a sentence's own embedding and words miss: the sentence holding the answer
often shares nothing with the question ("As of this writing it is slightly more than 50,000
lines." answers "How large was the gccgo code base?"), while the sentence before it or the
heading above it does.
"""

from __future__ import annotations

import re

from localchat.answer.words import stem
from localchat.retrieval.query import STOP_WORDS

_FIGURE_QUESTION = re.compile(
    r"\bhow\s+(?:many|much|large|long|big|old|often|far|high|tall|heavy|fast|small|wide)\b"
    r"|\b(?:what|which)\s+(?:[\w'-]+\s+){0,2}?(?:date|year|day|month|version|release|"
    r"numbers?|percentage|size|amount|cost|price|count|range)s?\b"
    r"|\bsince\s+(?:when|which)\b",
    re.IGNORECASE,
)
_CAUSE_QUESTION = re.compile(r"^\W*why\b|\bwhy\s+(?:do|does|did|is|are|was|were|can|not)", re.I)
# "Which OpenAI APIs…", "What options…": a plural noun phrase right after the question word
# (up to its verb) asks for several things, which a list answers.
_WH_PHRASE = re.compile(r"^\W*(?:which|what)\s+((?:[\w'-]+\s+){0,4})", re.IGNORECASE)
_VERBS = frozenset(
    {
        *("is", "are", "was", "were", "do", "does", "did", "can", "could", "should", "will"),
        *("would", "may", "might", "must", "has", "have", "had"),
    }
)
_LIST_ITEM = re.compile(r"\n[ \t]*(?:[-*•]|\d+[.)])\s")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_LINK = re.compile(r"\]\([^)\s]*\)|\b(?:https?://|www\.)\S+|(?<![\w/])/[\w.-]+/\S*")
_CAUSE = re.compile(
    r"\b(?:because|reasons?|due to|so that|in order to|since|as a result|caused by|leads? to)\b",
    re.IGNORECASE,
)
# A sentence opening with one of these leans on the one before it in its passage.
_CONTINUES = re.compile(
    r"^\W*(?:it|its|this|these|that|those|they|them|their|such|however|but|thus|therefore|"
    r"also|instead|otherwise|so|as of|as a result|only|then|here|for example)\b",
    re.IGNORECASE,
)

# Words of a question's form, not its topic ("how many", "what kind of"): never counted.
FORM_WORDS = frozenset(
    {
        *("many", "much", "kind", "kinds", "type", "types", "sort", "sorts", "large", "long"),
        *("big", "old", "often", "far", "exactly", "way", "ways"),
    }
)
# "what X", "which X", "how many X", "how much X", skipping "kind of" and the like: the noun
# the question asks for, when a content word follows the question word directly.
_FOCUS = re.compile(
    r"\b(?:what|which|whose|how\s+many|how\s+much)\s+(?:(?:kinds?|types?|sorts?)\s+of\s+)?"
    r"([^\W\d_][\w'-]*)",
    re.IGNORECASE,
)

_YES_NO = re.compile(
    r"^\s*(?:do|does|did|is|are|was|were|can|could|should|will|would|has|have|had|may|might|"
    r"must|shall)\b",
    re.IGNORECASE,
)
_WH_WORD = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)
# A wh-question is answered by what its words do not already say; a sentence bringing fewer
# than ECHO_NEW_WORDS content words of its own only restates it ("The FAA is proposing this
# AD to address the unsafe condition" for "What unsafe condition does the AD address?").
ECHO_NEW_WORDS = 3
ECHO_PENALTY = 0.2
# Words that end the noun phrase a wh-question opens with ("what problem with the…").
_PHRASE_ENDS = frozenset(
    {"of", "in", "on", "for", "with", "to", "from", "about", "at", "by", "that", "when", "if"}
)
# The asked-for noun followed by what it is: "describes the unsafe condition as seizing of…",
# "the range of responses is…", "the representation, known as GOGO".
_DEFINED_BY = (
    r"(?:e?s)?\b,?\s+(?:is|are|was|were|as|means|include[sd]?|including|such as|known as|called)\b"
)

# A name given to something: "known as GOGO", "called gc".
NAMES = re.compile(r"\b(?:known as|called|named|referred to as)\s+[\"'`]?([A-Z][\w+-]{1,30})")
FOCUS_BONUS = 0.2  # a sentence about what the question asks for (about_focus) gains this
KIND_BONUS = 0.2  # a sentence of the kind the question asks for (a figure, a cause) gains this
CONTINUE_GAP = 0.1  # a sentence that goes on from another scores at most this much below it


def asked_kind(question: str) -> str | None:
    """ "figure" ("how many…", "which release…"), "cause" ("why…"), "list" ("which
    APIs…"), or None."""
    if _FIGURE_QUESTION.search(question):
        return "figure"
    if _CAUSE_QUESTION.search(question):
        return "cause"
    if _asks_for_several(question):
        return "list"
    return None


def _asks_for_several(question: str) -> bool:
    phrase = _wh_phrase(question, ends=_VERBS)
    last = phrase[-1] if phrase else ""
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "sis"))


def is_kind(kind: str | None, question: str, sentence: str) -> bool:
    """Whether `sentence` gives what `kind` asks for: a figure the question does not already
    hold ("Go 1.5", "50,000"), or a cause ("because", "the reason")."""
    if kind == "figure":
        figures = set(_FIGURE.findall(_LINK.sub(" ", sentence)))
        return bool(figures - set(_FIGURE.findall(question)))
    if kind == "cause":
        return _CAUSE.search(sentence) is not None
    if kind == "list":  # a lead and its list lines, one sentence (sentences.py)
        return len(_LIST_ITEM.findall(sentence)) >= 2
    return False


def continues(previous: str, sentence: str, *, previous_is_heading: bool) -> bool:
    """Whether `sentence` goes on from `previous`, the sentence just before it: the text
    under a heading, the item after a colon, or a sentence opening with "It"/"These"/"But"."""
    return (
        previous_is_heading
        or previous.rstrip().endswith(":")
        or _CONTINUES.match(sentence) is not None
    )


def focus_word(question: str) -> str | None:
    """The word a wh-question asks for ("torque" in "What torque should…"), as written, or
    None."""
    match = _FOCUS.search(question)
    if match is None:
        return None
    word = match.group(1).replace("’", "'").split("'")[0]
    lower = word.lower()
    return None if lower in STOP_WORDS or lower in FORM_WORDS or len(word) < 3 else word


def about_focus(focus: str | None, sentences: list[str], stems: list[set[str]]) -> list[bool]:
    """For each sentence, whether it speaks of a name given to what the question asks for:
    "The intermediate representation, known as GOGO, …" names it, and every sentence on
    GOGO is about it. The focus word alone is no such sign ("comply with FAA regulations"
    is not the regulation asked for), so a question with no naming sentence gets none."""
    if focus is None:
        return [False] * len(sentences)
    key = stem(focus.lower())
    names = {
        name
        for text, words in zip(sentences, stems, strict=True)
        if key in words
        for name in NAMES.findall(text)
    }
    if not names:
        return [False] * len(sentences)
    named = re.compile(rf"\b(?:{'|'.join(map(re.escape, sorted(names)))})\b")
    return [named.search(text) is not None for text in sentences]


def focus_head(question: str) -> str | None:
    """The head noun of the phrase a what/which question opens with: "condition" in "What
    unsafe condition does the AD address?", "apis" in "Which OpenAI APIs are supported?"
    (lower-cased)."""
    phrase = _wh_phrase(question, ends=_VERBS | _PHRASE_ENDS, strip=",;:?")
    words = [w for w in phrase if w not in STOP_WORDS and w not in FORM_WORDS and w.isalpha()]
    return words[-1] if words and len(words[-1]) >= 3 else None


def _wh_phrase(question: str, *, ends: frozenset[str], strip: str = "") -> list[str]:
    """The lower-cased words after an opening "which"/"what" (at most 5) and a "kind of"
    after it, up to the first of `ends` ("Which OpenAI APIs can…" → ["openai", "apis"])."""
    match = _WH_PHRASE.match(question + " ")
    words = match.group(1).split() if match else []
    if len(words) > 2 and words[0].lower() in FORM_WORDS and words[1].lower() == "of":
        words = words[2:]  # "what kind of garbage collector"
    phrase: list[str] = []
    for word in words:
        lower = word.lower().strip(strip)
        if lower in ends:
            break
        phrase.append(lower)
    return phrase


def defines(head: str | None, sentences: list[str]) -> list[bool]:
    """For each sentence, whether it says what the asked-for thing is: `head` followed by
    "is", "as", "include"… ("describes the unsafe condition as seizing of a spring pack"),
    where a sentence merely naming it ("to address the unsafe condition") says nothing."""
    if head is None:
        return [False] * len(sentences)
    singular = head[:-1] if head.endswith("s") and len(head) > 3 else head
    pattern = re.compile(rf"\b{re.escape(singular)}{_DEFINED_BY}", re.IGNORECASE)
    return [pattern.search(text) is not None for text in sentences]


def is_yes_no(question: str) -> bool:
    """A question answered by yes or no: it opens with an auxiliary ("Does X cause Y?"), or
    it is a question with no wh-word at all ("Statins and dementia: a link?")."""
    if _YES_NO.match(question) is not None:
        return True
    return question.rstrip().endswith("?") and _WH_WORD.search(question) is None


def echoes(question: str, asked: set[str], stems: list[set[str]]) -> list[bool]:
    """For each sentence (its content stems), whether it only restates a wh-question: fewer
    than ECHO_NEW_WORDS content words the question lacks. A yes/no question's answer may
    restate it ("GOGO is converted to GENERIC"), so none echoes there."""
    if is_yes_no(question) or _WH_WORD.search(question) is None:
        return [False] * len(stems)
    return [len(words - asked) < ECHO_NEW_WORDS for words in stems]
