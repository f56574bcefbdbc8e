"""Character-based chunking with overlap: spans that map exactly back into the page text.

Guarantees of `split_text(text, size, overlap)` (tested as properties):

- every span is non-empty, at most `size` characters, and starts and ends on non-whitespace
  (whitespace is trimmed by moving the bounds, never by editing text);
- spans are in order: both starts and ends strictly increase;
- every non-whitespace character of `text` lies in some span;
- between consecutive spans a, b with `overlap > 0`, let `c = max(a.end - overlap, a.start + 1)`
  and `h = ceil(overlap / 2)`. Normally `c <= b.start < a.end` (so the overlap is at most
  `overlap`), and b starts at the first word start (non-space after a space) in `[c, a.end - h]`,
  i.e. the overlap is the largest one that is at most `overlap`, at least half of it and begins
  on a word. When no word starts there (one long word), b starts at the first non-whitespace
  character at or after c (a mid-word start). The one exception is a whitespace gap after a
  so long that a chunk starting in the overlap could not reach the next text (it lies `size`
  or more characters past that start): then b starts at that text and does not overlap a.
- with `overlap == 0`, b starts at the first non-whitespace character after a.

Each span ends at the best break in the second half of its window (or past `overlap`, if
that is later): a blank line before a Markdown heading; else a blank line that does not follow
a heading line (headings stay with their text); else a sentence end; else a line end; else a
space. A hard cut happens only when the window holds no whitespace at all. Headings are
`#`-lines outside fenced code blocks.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import NamedTuple

import msgspec

from localchat.errors import InvalidRequestError
from localchat.ingest.loaders.document import Page

PAGE_SEPARATOR = "\n\n"

# Patterns start with a literal where they can: the regex engine then skips ahead quickly.
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)|[。！？]")
_NON_SPACE = re.compile(r"\S")
_WORD_START = re.compile(r"(?<=\s)\S")
_HEADING = re.compile(r"#{1,6}[ \t]+(\S[^\n]*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_SPACE_RUN = re.compile(r"\s*")


class _Headings(NamedTuple):
    positions: list[int]  # sorted starts of heading lines
    starts: frozenset[int]  # the same, for membership tests


class ChunkSpan(msgspec.Struct, frozen=True):
    """One chunk: `text == document_text(pages)[char_start:char_end]`, all on one page."""

    ordinal: int
    text: str
    page: int
    char_start: int
    char_end: int
    # Text of the Markdown heading in effect at the chunk's middle ("" if none): a chunk that
    # starts with the overlapping tail of one section and mostly holds the next gets the next.
    section: str


def document_text(pages: Sequence[Page]) -> str:
    """The whole document as one string: page texts joined by a blank line."""
    return PAGE_SEPARATOR.join(page.text for page in pages)


def chunk_pages(pages: Sequence[Page], chunk_size: int, chunk_overlap: int) -> list[ChunkSpan]:
    """Split each page on its own (chunks never span pages), with offsets into document_text."""
    _check_sizes(chunk_size, chunk_overlap)
    chunks: list[ChunkSpan] = []
    positions: list[int] = []  # headings of the document so far: sections cross pages
    titles: list[str] = []
    page_start = 0
    for page in pages:
        page_positions, page_titles = _heading_index(page.text)
        positions.extend(page_start + position for position in page_positions)
        titles.extend(page_titles)
        page_headings = _Headings(page_positions, frozenset(page_positions))
        for start, end in _split(page.text, chunk_size, chunk_overlap, page_headings):
            middle = page_start + (start + end) // 2
            chunks.append(
                ChunkSpan(
                    ordinal=len(chunks),
                    text=page.text[start:end],
                    page=page.number,
                    char_start=page_start + start,
                    char_end=page_start + end,
                    section=_section_at(positions, titles, middle),
                )
            )
        page_start += len(page.text) + len(PAGE_SEPARATOR)
    return chunks


def _section_at(positions: list[int], titles: list[str], offset: int) -> str:
    """The heading in effect at `offset`; "" before the first heading (not the last one)."""
    index = bisect.bisect_right(positions, offset) - 1
    return titles[index] if index >= 0 else ""


def split_text(text: str, chunk_size: int, chunk_overlap: int) -> list[tuple[int, int]]:
    """Spans `(start, end)` of `text` obeying the guarantees in this module's docstring."""
    _check_sizes(chunk_size, chunk_overlap)
    positions, _titles = _heading_index(text)
    return _split(text, chunk_size, chunk_overlap, _Headings(positions, frozenset(positions)))


def _split(
    text: str, chunk_size: int, chunk_overlap: int, headings: _Headings
) -> list[tuple[int, int]]:
    text_end = len(text.rstrip())
    if text_end == 0:
        return []
    start = len(text) - len(text.lstrip())
    spans: list[tuple[int, int]] = []
    while True:
        if text_end - start <= chunk_size:
            spans.append((start, text_end))
            return spans
        end = _span_end(text, start, chunk_size, chunk_overlap, headings)
        spans.append((start, end))
        start = _next_start(text, start, end, chunk_size, chunk_overlap)


def _check_sizes(chunk_size: int, chunk_overlap: int) -> None:
    if chunk_size < 1:
        raise InvalidRequestError(
            f"chunk_size must be at least 1, got {chunk_size}", param="chunk_size"
        )
    if not 0 <= chunk_overlap < chunk_size:
        raise InvalidRequestError(
            f"chunk_overlap must be from 0 to chunk_size - 1, got {chunk_overlap}",
            hint="use an overlap of about a fifth of chunk_size",
            param="chunk_overlap",
        )


class _Window(NamedTuple):
    """Where a span may end: [min_end, limit]; `edge` is the whitespace run at `limit`."""

    min_end: int
    limit: int
    edge_start: int  # == limit when text[limit] is not whitespace
    edge_end: int


def _span_end(
    text: str, start: int, chunk_size: int, chunk_overlap: int, headings: _Headings
) -> int:
    """End of the span that starts at `start`; the text goes on past the window."""
    limit = start + chunk_size  # a span may end here: text[start:limit] has chunk_size chars
    # Ending past start + overlap guarantees the next span ends later than this one.
    min_end = start + max(chunk_size // 2, chunk_overlap + 1)
    edge_end = _SPACE_RUN.match(text, limit).end()
    edge_start = _run_start(text, limit) if edge_end > limit else limit
    window = _Window(min_end, limit, edge_start, edge_end)
    end = _last_paragraph_break(text, window, headings)
    if end is None:
        end = _last_sentence_end(text, window)
    if end is None:
        end = _last_run_break(text, window, ("\n",))
    if end is None:
        end = _last_run_break(text, window, (" ", "\t", "\n"))
    if end is None:
        end = _run_start(text, limit)  # hard cut, before any whitespace that began earlier
    return end


def _last_paragraph_break(text: str, window: _Window, headings: _Headings) -> int | None:
    """The last blank line before a heading, else the last one not right after a heading."""
    min_end, limit, edge_start, edge_end = window
    first = bisect.bisect_left(headings.positions, min_end)
    last = bisect.bisect_right(headings.positions, max(edge_end, limit))
    for heading in reversed(headings.positions[first:last]):
        position = _run_start(text, heading)
        if min_end <= position <= limit and text.count("\n", position, heading) >= 2:
            return position
    runs = [match.start() for match in _BLANK_LINE.finditer(text, min_end, edge_start)]
    if edge_start < edge_end and text.count("\n", edge_start, edge_end) >= 2:
        runs.append(edge_start)
    for run in reversed(runs):  # the last good one wins
        position = _run_start(text, run)
        after_heading = text.rfind("\n", 0, position) + 1 in headings.starts
        if position >= min_end and not after_heading:  # keep headings with their text
            return position
    return None


def _last_sentence_end(text: str, window: _Window) -> int | None:
    found = None
    search_from = max(0, window.min_end - 8)  # a mark with closing quotes may end in the window
    for match in _SENTENCE_END.finditer(text, search_from, window.limit + 1):
        if match.end() > window.limit:
            break
        if match.end() >= window.min_end:
            found = match.end()
    return found


def _last_run_break(text: str, window: _Window, needles: tuple[str, ...]) -> int | None:
    """Start of the last whitespace run holding one of `needles`, if within the window."""
    min_end, _limit, edge_start, edge_end = window
    if any(text.find(needle, edge_start, edge_end) >= 0 for needle in needles):
        found = edge_start
    else:
        found = max(text.rfind(needle, min_end, edge_start) for needle in needles)
        if found < 0:
            return None
    position = _run_start(text, found)
    return position if position >= min_end else None


def _run_start(text: str, position: int) -> int:
    """Start of the whitespace run that holds `position` (or ends just before it)."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position


def _next_start(text: str, start: int, end: int, chunk_size: int, chunk_overlap: int) -> int:
    """Where the span after `(start, end)` begins (see the overlap rule in the docstring)."""
    following = _NON_SPACE.search(text, end)
    assert following is not None  # callers only ask while text goes on past `end`
    if chunk_overlap == 0:
        return following.start()
    lowest = max(end - chunk_overlap, start + 1)
    latest = end - (chunk_overlap + 1) // 2
    word = _WORD_START.search(text, lowest, latest + 1) if lowest <= latest else None
    if word is not None:
        overlap_start = word.start()
    else:
        non_space = _NON_SPACE.search(text, lowest)
        assert non_space is not None
        overlap_start = non_space.start()
    if following.start() >= overlap_start + chunk_size:
        return following.start()  # a chunk from the overlap could not reach the next text
    return overlap_start


def _heading_index(text: str) -> tuple[list[int], list[str]]:
    """Positions and titles of Markdown heading lines outside fenced code blocks."""
    fences = sorted(
        position
        for mark in ("```", "~~~")
        for position in _find_all(text, mark)
        if text[text.rfind("\n", 0, position) + 1 : position].strip(" \t") == ""
    )
    positions: list[int] = []
    titles: list[str] = []
    line_starts = _find_all(text, "\n#")
    for position in ([0] if text.startswith("#") else []) + [at + 1 for at in line_starts]:
        heading = _HEADING.match(text, position)
        # An odd number of fence lines before the heading means it sits inside code.
        if heading and (not fences or bisect.bisect_left(fences, position) % 2 == 0):
            positions.append(position)
            titles.append(heading.group(1))
    return positions, titles


def _find_all(text: str, needle: str) -> list[int]:
    positions = []
    position = text.find(needle)
    while position >= 0:
        positions.append(position)
        position = text.find(needle, position + len(needle))
    return positions
