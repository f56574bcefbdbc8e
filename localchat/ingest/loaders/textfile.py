"""Plain-text files: encoding detection, refusal of binary data, newline normalisation.

Files are read in blocks: the encoding is chosen from the first 64 KiB, the bytes go through an
incremental decoder, and lines are normalised block by block. The file's bytes are never held
whole, nor a list of its lines, so the parser's peak is about twice the decoded text (its pieces
joined, then the text and its copy in the reply to the parent): ≈ 2.7× a 40 MB ASCII file with
CRLF and trailing spaces, where reading it whole cost ≈ 5.7×. Files over `ingest.max_file_bytes`
are refused before parsing (see ingest/files.py).
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import charset_normalizer

from localchat.errors import EmptyDocumentError, UnsupportedFileError
from localchat.ingest.loaders.document import LoadedDocument, Page, open_file

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters that never occur in real text (tab, newlines, form feed and ESC excluded).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_SNIFF_BYTES = 64 * 1024
_BLOCK_BYTES = 1 << 20  # decoded per step: large enough that per-block overhead is noise
_TRAILING_SPACE_MARKS = (" \n", "\t\n", "\x0b\n", "\x0c\n", "\xa0\n", "\u3000\n")
_BLANK_RUN = re.compile(r"\n\n\n+")
# Single-byte code pages often fit a sample equally well; Western European text is likeliest.
_COMMON_ENCODINGS = ("utf_8", "cp1252", "latin_1", "iso8859_15")
_MAX_CONTROL_RATIO = 0.01


def decode_text(data: bytes, name: str) -> str:
    """Bytes of a text file as str with `\\n` newlines; refuses empty and binary input."""
    return "".join(_decoded_pieces(io.BytesIO(data), name))


def read_text(path: Path) -> str:
    """A text file decoded block by block (see `decode_text`), its bytes never held whole."""
    with open_file(path) as handle:
        return "".join(_decoded_pieces(handle, path.name))


def load_text(path: Path, media_type: str = "text/plain") -> LoadedDocument:
    """A text file as one page: decoded and line-normalised one block at a time."""
    lines = LineNormaliser()
    with open_file(path) as handle:
        for piece in _decoded_pieces(handle, path.name):
            lines.feed(piece)
    text = lines.finish()
    if not text or text.isspace():  # isspace() does not copy a large text, strip() may
        raise EmptyDocumentError(f"{path.name} holds only whitespace", hint="nothing to ingest")
    return LoadedDocument(pages=[Page(1, text)], title=path.stem, media_type=media_type)


def normalise_text_lines(text: str) -> str:
    """Strip trailing spaces and collapse runs of blank lines; indentation is kept."""
    lines = LineNormaliser()
    lines.feed(text)
    return lines.finish()


class LineNormaliser:
    """`normalise_text_lines` over a text that arrives in pieces.

    Only whole lines are processed; a run of newlines that spans two pieces is held back
    (as a count) until the next text shows how long the run is.
    """

    def __init__(self) -> None:
        self._out: list[str] = []
        self._partial: list[str] = []  # the start of a line whose end has not arrived yet
        self._newlines = 0  # newlines after the last emitted text, not yet written

    def feed(self, piece: str) -> None:
        cut = piece.rfind("\n") + 1
        if cut == 0:
            self._partial.append(piece)
            return
        self._partial.append(piece[:cut])
        block = "".join(self._partial)
        self._partial = [piece[cut:]] if cut < len(piece) else []
        self._emit(block)

    def finish(self) -> str:
        self._emit("".join(self._partial))
        self._partial = []
        while self._out:  # the text ends at its last non-space character
            last = self._out.pop().rstrip()
            if last:
                self._out.append(last)
                break
        text, self._out = "".join(self._out), []
        return text

    def _emit(self, block: str) -> None:
        if any(mark in block for mark in _TRAILING_SPACE_MARKS):  # skip the slow pass if clean
            block = "\n".join(line.rstrip() for line in block.split("\n"))
        # A literal prefix ("\n\n\n") lets the regex engine skip ahead: 20x faster than \n{3,}.
        block = _BLANK_RUN.sub("\n\n", block)
        body = block.lstrip("\n")
        leading = len(block) - len(body)
        body = body.rstrip("\n")
        if not body:
            self._newlines += leading
            return
        if self._out:  # newlines before the first text are dropped
            self._out.append("\n" * min(self._newlines + leading, 2))
        self._out.append(body)
        self._newlines = len(block) - leading - len(body)


# -- decoding ----------------------------------------------------------------------------------


def _decoded_pieces(handle: BinaryIO, name: str) -> Iterator[str]:
    """The text in pieces of about a block, `\\r\\n` and `\\r` turned into `\\n`."""
    head = handle.read(_SNIFF_BYTES)
    if not head:
        raise EmptyDocumentError(f"{name} is empty (0 bytes)", hint="nothing to ingest")
    encoding, strict = _choose_encoding(head, name)
    pieces = _decode_blocks(handle, head, encoding, "strict" if strict else "replace")
    try:
        first = next(pieces)
        _refuse_control_characters(first[:_SNIFF_BYTES], name)
        yield first
        yield from pieces
    except UnicodeDecodeError as error:  # only a BOM's encoding is decoded strictly
        raise _binary(name, f"it starts with a {encoding} mark but is not") from error


def _decode_blocks(handle: BinaryIO, head: bytes, encoding: str, errors: str) -> Iterator[str]:
    """Always yields at least one piece (possibly empty), so the caller can check the start."""
    decoder = io.IncrementalNewlineDecoder(
        codecs.getincrementaldecoder(encoding)(errors), translate=True
    )
    block = head
    while True:
        more = handle.read(_BLOCK_BYTES)
        text = decoder.decode(block, final=not more)
        if text or not more:
            yield text
        if not more:
            return
        block = more


def _choose_encoding(head: bytes, name: str) -> tuple[str, bool]:
    """(encoding, strict): a BOM's encoding decodes strictly, the others replace bad bytes.

    A start that is valid UTF-8 means UTF-8: a stray bad byte further on becomes U+FFFD
    rather than turning the whole file into mojibake.
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, True
    if b"\x00" not in head:  # NULs are valid UTF-8 but mean UTF-16 or binary
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            return "utf-8", False
        except UnicodeDecodeError:
            pass
    return _guessed(head, name), False


def _guessed(head: bytes, name: str) -> str:
    encoding = _guess_encoding(head)
    if encoding is None:
        raise _binary(name, "no text encoding fits its bytes")
    if b"\x00" in head and not encoding.startswith(("utf_16", "utf_32")):
        raise _binary(name, "it contains NUL bytes")
    return encoding


def _guess_encoding(sample: bytes) -> str | None:
    """charset-normalizer's best guess; among equally good ones, the most common encoding."""
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        return None
    tied = {
        match.encoding
        for match in matches
        if (match.percent_chaos, match.percent_coherence)
        == (best.percent_chaos, best.percent_coherence)
    }
    return next((name for name in _COMMON_ENCODINGS if name in tied), best.encoding)


def _refuse_control_characters(sample: str, name: str) -> None:
    if sample and len(_CONTROL.findall(sample)) > _MAX_CONTROL_RATIO * len(sample):
        raise _binary(name, "it is full of control characters")


def _binary(name: str, reason: str) -> UnsupportedFileError:
    return UnsupportedFileError(
        f"{name} looks binary: {reason}",
        hint="only text, Markdown, HTML and PDF files can be ingested",
    )
