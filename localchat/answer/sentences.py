"""Sentences of a passage with their character offsets in it (the quote spans of answers)."""

from __future__ import annotations

import re

import msgspec

MAX_SENTENCE_CHARS = 400  # a longer run (a table, a list without stops) is cut at a space
MIN_SENTENCE_CHARS = 12  # shorter pieces ("Fig. 3", "1.") carry no evidence on their own

# A sentence ends at . ! ? (and closing quotes/brackets after them) before white space and a
# capital, digit, quote or bracket; or at a blank line; or at a line that starts a list item,
# heading or table row. A single newline inside a PDF paragraph is not an end.
_END = re.compile(
    r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])"
    r"|\n[ \t]*\n\s*"
    r"|\n(?=[ \t]*(?:[-*•#]|#{2,6}|\d+[.)])\s)"
    r"|\n(?=[ \t]*\|)"  # a line opening with "|" is a table row
)
# A Markdown table's separator line ("---|:---:|---"): dropped, and a cut on each side, so
# the header above is a title and the first row below starts a sentence of its own.
_TABLE_RULE = re.compile(
    r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*(?:\n|$)", re.MULTILINE
)
_LIST_LINE = re.compile(r"[ \t]*(?:[-*•]|\d+[.)])\s")
_ABBREVIATION = re.compile(
    r"\b(?:e\.g|i\.e|etc|vs|Fig|fig|Eq|No|Dr|Mr|Mrs|Ms|St|al|cf|"
    r"Ltd|Inc|Corp|Co|Jr|Sr|U\.S|P\.O|Vol|pp|approx)\.$"
)  # "Pilatus Aircraft Ltd. Model PC-12/47E", "U.S. Department of Transportation"
# A Markdown/HTML heading line ("### Timeout") ends at its newline: the text under it is
# another sentence, and a heading is never quoted as an answer (see is_heading).
_HEADING_LINE = re.compile(r"^[ \t]*#{1,6}[ \t][^\n]*(\n)", re.MULTILINE)
HEADING_WORDS = 6  # a line this short with no final stop ("Boots Self-Locking Nut") is a title
MIN_QUOTE_WORDS = 4  # fewer ("Self-locking nuts.") names a topic, it answers nothing


class Sentence(msgspec.Struct, frozen=True):
    start: int  # offset of the first character in the passage
    end: int  # offset just past the last character: passage[start:end] == text
    text: str


def split_sentences(passage: str) -> list[Sentence]:
    """The sentences of `passage`, stripped, each with its exact offsets in it."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for cut, after in _cuts(passage):
        if cut < start:
            continue
        if _ABBREVIATION.search(passage, max(start, cut - 8), cut):
            continue
        pieces.append((start, cut))
        start = after
    pieces.append((start, len(passage)))
    sentences: list[Sentence] = []
    for begin, end in pieces:
        for a, b in _cut_long(passage, *_strip(passage, begin, end)):
            if b - a >= MIN_SENTENCE_CHARS:
                sentences.append(Sentence(a, b, passage[a:b]))
    return _with_lists(passage, sentences)


def _with_lists(passage: str, sentences: list[Sentence]) -> list[Sentence]:
    """A lead ending in ":" and the list lines right under it become one sentence ("The
    following APIs are supported: - Chat Completions. - Embeddings."): the items alone are
    too short to quote and the lead alone names no item, but together they answer."""
    out: list[Sentence] = []
    i = 0
    while i < len(sentences):
        lead = sentences[i]
        j = i + 1
        if lead.text.rstrip().endswith(":"):
            while j < len(sentences) and _in_list(passage, lead, sentences[j]):
                j += 1
        end = sentences[j - 1].end
        if j - i > 2 and end - lead.start <= MAX_SENTENCE_CHARS:
            out.append(Sentence(lead.start, end, passage[lead.start : end]))
            i = j
            continue
        out.append(lead)
        i += 1
    return out


def _in_list(passage: str, lead: Sentence, sentence: Sentence) -> bool:
    """Whether `sentence` is on a list line of the block under `lead` (no blank line between)."""
    block = passage[lead.end : sentence.start]
    if "\n\n" in block.replace(" ", "") or "\n" not in passage[lead.end : sentence.end]:
        return False
    line_start = passage.rfind("\n", 0, sentence.start) + 1
    return _LIST_LINE.match(passage, line_start) is not None


def _cuts(passage: str) -> list[tuple[int, int]]:
    """(end of a sentence, start of what follows) pairs in order: sentence ends, the
    newlines after heading lines and table separator lines."""
    ends = [(m.start(), m.end()) for m in _END.finditer(passage)]
    heads = [(m.start(1), m.end(1)) for m in _HEADING_LINE.finditer(passage)]
    rules = [(m.start(), m.end()) for m in _TABLE_RULE.finditer(passage)]
    return sorted(set(ends + heads + rules))


def is_heading(text: str) -> bool:
    """A heading or a bare title, not a sentence: it may lead to the answer (the text under
    "### Why does Go not have the ?: operator?" is) but quoting it answers nothing."""
    words = text.split()
    if text.lstrip().startswith("#") or len(words) < MIN_QUOTE_WORDS:
        return True
    return len(words) <= HEADING_WORDS and text.rstrip()[-1] not in ".!?:;,)"


def is_prose(text: str) -> bool:
    """False for a fenced code block: quoted as an answer it says nothing (docs-qa: a shell
    command was the whole answer to "how much GPU memory…"). Table rows and headings stay;
    filtering those too lowered docs-qa fact recall (0.63 → 0.56), so they are kept."""
    return "```" not in text


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) pieces of at most MAX_SENTENCE_CHARS, cut at the last space in range."""
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        pieces.append(_strip(text, start, cut))
        start = _strip(text, cut, end)[0]
    pieces.append((start, end))
    return [p for p in pieces if p[1] > p[0]]
