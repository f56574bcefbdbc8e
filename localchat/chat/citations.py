"""Citation markers in an answer: keep the ones that name a source, drop the rest, annotate.

The model writes markers such as "[2]", "[1, 3]", "[1-3]", "[1][2]" or "[Source 2]". Each
marker group becomes one "[n]" per valid source number (so "[1, 3]" → "[1][3]"), markers that
point at no source are removed together with the space before them, and every "[n]" left in
the cleaned text gets an OpenAI `url_citation` annotation whose offsets are Python string
(code point) offsets into that cleaned text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import msgspec

from localchat.chat.attribution import Attributor
from localchat.chat.types import Source
from localchat.wire.sources import Annotation, SourceEntry, UrlCitation
from localchat.wire.sources import source_url as passage_url

MAX_MARKER_CHARS = 48  # a bracket group longer than this is text, not a citation
MAX_RANGE = 20  # "[1-3]" expands; "[1-999]" is read as the two numbers 1 and 999
_LABEL = r"(?:(?:sources?|docs?|documents?|refs?)[ \t]*:?[ \t]*)?"
_NUMBER = _LABEL + r"\d{1,4}"
_SEPARATOR = r"[ \t]*(?:,|;|-|–|—|&|and)[ \t]*"
# Not inside doubled brackets: "[[9]9]" must not turn into "[9]" when "[9]" is removed.
MARKER = re.compile(
    r"(?<!\[)\[[ \t]*" + _NUMBER + r"(?:" + _SEPARATOR + _NUMBER + r")*[ \t]*\](?!\])",
    re.IGNORECASE,
)
_PART = re.compile(r"\d+|[-–—]")
_HSPACE = " \t"
_CLOSERS = ".,;:!?)"
# A sentence ends at . ! or ? followed by white space and then the next sentence's first
# character (which says whether the model cites it itself: "[").
_SENTENCE_END = re.compile(r"[.!?](?=\s+\S)")
_OPEN_END = re.compile(r"[.!?]\s*$")  # a sentence end whose next sentence has not begun


class CitationResult(msgspec.Struct, frozen=True):
    text: str  # the answer with invalid markers removed and groups normalised to [n][m]
    annotations: list[Annotation]  # OpenAI message.annotations entries
    sources: list[SourceEntry]  # the `sources[]` extension: every source shown to the model
    cited: list[int]  # source indexes cited, in order of first citation
    invalid_markers: int  # citation numbers that pointed at no source


def resolve_citations(text: str, sources: Sequence[Source]) -> CitationResult:
    by_index = {source.index: source for source in sources}
    cleaned, spans, invalid = clean_markers(text, by_index.keys())
    annotations = [_annotation(by_index[n], start, end) for start, end, n in spans]
    cited = list(dict.fromkeys(n for _, _, n in spans))
    return CitationResult(
        text=cleaned,
        annotations=annotations,
        sources=[source_entry(s) for s in sources],
        cited=cited,
        invalid_markers=invalid,
    )


def source_entry(source: Source) -> SourceEntry:
    """One item of the `sources[]` extension list: the contract's fields."""
    return SourceEntry(
        index=source.index,
        document_id=source.document_id,
        filename=source.filename,
        page=source.page,
        chunk_index=source.chunk_index,
        relevance=source.relevance,
        preview=source.preview,
    )


def source_url(source: Source) -> str:
    return passage_url(source.document_id, source.page, source.chunk_index)


def _annotation(source: Source, start: int, end: int) -> Annotation:
    title = f"{source.filename} (p. {source.page})" if source.page >= 1 else source.filename
    return Annotation(UrlCitation(start, end, source_url(source), title))


def clean_markers(
    text: str, valid: Collection[int], *, at_line_start: bool = True
) -> tuple[str, list[tuple[int, int, int]], int]:
    """(cleaned text, [(start, end, source number)] of each kept marker, invalid count).

    `at_line_start` says whether `text` continues a line that is still empty; the streaming
    filter cleans piece by piece and passes it on.
    """
    out: list[str] = []
    length = 0  # len("".join(out)), kept as we go
    spans: list[tuple[int, int, int]] = []
    invalid = 0
    pos = 0
    for match in MARKER.finditer(text):
        if match.end() - match.start() > MAX_MARKER_CHARS:
            continue
        numbers = _numbers(match.group())
        kept = [n for n in dict.fromkeys(numbers) if n in valid]
        invalid += sum(1 for n in numbers if n not in valid)
        out.append(text[pos : match.start()])
        length += match.start() - pos
        pos = match.end()
        if kept:
            for n in kept:
                spans.append((length, length + len(str(n)) + 2, n))
                out.append(f"[{n}]")
                length += len(str(n)) + 2
            continue
        # Removed: take the space before it too when punctuation, a space or the end follows
        # ("as shown [9]." → "as shown."); at a line start take the space after it instead.
        following = text[pos : pos + 1]
        if not following or following.isspace() or following in _CLOSERS:
            length -= _strip_trailing_space(out)
        if following in _HSPACE and _line_is_empty(out, at_line_start):
            while pos < len(text) and text[pos] in _HSPACE:
                pos += 1
    out.append(text[pos:])
    return "".join(out), spans, invalid


def _numbers(marker: str) -> list[int]:
    """The source numbers a marker names, ranges expanded."""
    numbers: list[int] = []
    parts = _PART.findall(marker)
    i = 0
    while i < len(parts):
        part = parts[i]
        if part.isdigit():
            numbers.append(int(part))
        elif numbers and i + 1 < len(parts) and parts[i + 1].isdigit():
            low, high = numbers[-1], int(parts[i + 1])
            if low < high <= low + MAX_RANGE:
                numbers.extend(range(low + 1, high + 1))
                i += 1
        i += 1
    return numbers


def _strip_trailing_space(out: list[str]) -> int:
    """Remove spaces and tabs at the end of out's text; return how many were removed."""
    removed = 0
    while out:
        stripped = out[-1].rstrip(_HSPACE)
        removed += len(out[-1]) - len(stripped)
        if stripped:
            out[-1] = stripped
            return removed
        out.pop()
    return removed


def _line_is_empty(out: list[str], at_line_start: bool) -> bool:
    for piece in reversed(out):
        if piece:
            return piece.endswith("\n")
    return at_line_start


def pending_start(text: str) -> int:
    """Where the tail that may still change begins: trailing spaces and bracket groups.

    Everything before this point cleans the same whatever text follows, because it ends in a
    character that no marker rule touches; the tail waits for the next piece (or the end).
    """
    i = len(text)
    while i > 0:
        if text[i - 1] in _HSPACE:
            i -= 1
            continue
        j = text.rfind("[", max(0, i - MAX_MARKER_CHARS), i)
        group = text[j + 1 : i - 1] if j >= 0 else None
        if group is None or "]" in group or "\n" in text[j:i]:
            break
        i = j
    return i


class StreamingCitationFilter:
    """Cleans an answer as it streams, so invalid markers never reach a streaming client.

    `feed` returns the text safe to emit now; a tail that might still be or become a marker
    ("… see [1", "[12]") is held until the next piece settles it. `finish` returns the
    rest and the CitationResult of the whole answer, whose text is exactly everything emitted.

    While the model has cited nothing itself, each finished sentence that clearly comes from
    one source gets that source's marker before its final punctuation (attribution.py); a
    sentence's final punctuation is held until the next sentence begins, to leave room.
    """

    def __init__(self, sources: Sequence[Source], *, attribute: bool = True) -> None:
        self._sources = list(sources)
        self._valid = {source.index for source in self._sources}
        self._raw = ""
        self._done = 0  # raw characters already cleaned and emitted
        self._emitted: list[str] = []
        self._attributor = Attributor(self._sources) if attribute and self._sources else None
        self._sentence = 0  # raw offset where the sentence being written starts

    def feed(self, text: str) -> str:
        self._raw += text
        if self._attributor is not None:
            self._attribute_finished()
        cut = pending_start(self._raw)
        end = _OPEN_END.search(self._raw, self._done) if self._attributor is not None else None
        if end is not None:
            cut = min(cut, end.start())
        if cut <= self._done:
            return ""
        start_of_line = self._done == 0 or self._raw[self._done - 1] == "\n"
        piece, _, _ = clean_markers(
            self._raw[self._done : cut], self._valid, at_line_start=start_of_line
        )
        self._done = cut
        self._emitted.append(piece)
        return piece

    def finish(self) -> tuple[str, CitationResult]:
        if self._attributor is not None:
            self._attribute_finished()
            if self._attributor is not None:  # the last sentence ends with the answer
                tail = self._raw.rstrip()
                end = len(tail) - 1 if tail.endswith((".", "!", "?")) else len(tail)
                self._attribute(self._sentence, end, following="")
        result = resolve_citations(self._raw, self._sources)
        emitted = "".join(self._emitted)
        if not result.text.startswith(emitted):  # a bug here would corrupt every stream
            raise AssertionError("streamed citation text diverged from the cleaned answer")
        return result.text[len(emitted) :], result

    def _attribute_finished(self) -> None:
        """Attribute each sentence whose end and next sentence's first character arrived."""
        while self._attributor is not None:
            end = _SENTENCE_END.search(self._raw, self._sentence)
            if end is None:
                return
            following = self._raw[end.end() :].lstrip()[:1]
            added = self._attribute(self._sentence, end.start(), following)
            self._sentence = end.end() + added

    def _attribute(self, start: int, end: int, following: str) -> int:
        """Insert "[n]" at raw offset `end` if the sentence raw[start:end] comes from source n;
        returns the characters inserted. Stops attributing once the model cites by itself."""
        sentence = self._raw[start:end]
        if following == "[" or self._cites(sentence):
            self._attributor = None
            return 0
        source = self._attributor.source_of(sentence) if end >= self._done else None
        if source is None:
            return 0
        marker = f" [{source}]"
        self._raw = self._raw[:end] + marker + self._raw[end:]
        return len(marker)

    def _cites(self, text: str) -> bool:
        return any(n in self._valid for m in MARKER.finditer(text) for n in _numbers(m.group()))

    @property
    def raw_text(self) -> str:
        """Everything the model wrote, markers untouched (attributed markers included)."""
        return self._raw
