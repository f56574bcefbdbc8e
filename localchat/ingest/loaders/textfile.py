"""Plain-text files: encoding detection, refusal of binary data, newline normalisation."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import charset_normalizer

from localchat.errors import EmptyDocumentError, UnsupportedFileError
from localchat.ingest.loaders.document import LoadedDocument, Page

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
_TRAILING_SPACE_MARKS = (" \n", "\t\n", "\x0b\n", "\x0c\n", "\xa0\n", "\u3000\n")
_BLANK_RUN = re.compile(r"\n\n\n+")
# Single-byte code pages often fit a sample equally well; Western European text is likeliest.
_COMMON_ENCODINGS = ("utf_8", "cp1252", "latin_1", "iso8859_15")
_MAX_CONTROL_RATIO = 0.01


def decode_text(data: bytes, name: str) -> str:
    """Bytes of a text file as str with `\\n` newlines; refuses empty and binary input."""
    if not data:
        raise EmptyDocumentError(f"{name} is empty (0 bytes)", hint="nothing to ingest")
    text = _decode(data, name)
    sample = text[:_SNIFF_BYTES]
    if sample and len(_CONTROL.findall(sample)) > _MAX_CONTROL_RATIO * len(sample):
        raise _binary(name, "it is full of control characters")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_text(path: Path, data: bytes, media_type: str = "text/plain") -> LoadedDocument:
    text = normalise_text_lines(decode_text(data, path.name))
    if not text.strip():
        raise EmptyDocumentError(f"{path.name} holds only whitespace", hint="nothing to ingest")
    return LoadedDocument(pages=[Page(1, text)], title=path.stem, media_type=media_type)


def normalise_text_lines(text: str) -> str:
    """Strip trailing spaces and collapse runs of blank lines; indentation is kept."""
    if any(mark in text for mark in _TRAILING_SPACE_MARKS):  # skip the slow pass if it's clean
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    # A literal prefix ("\n\n\n") lets the regex engine skip ahead: 20x faster than \n{3,}.
    return _BLANK_RUN.sub("\n\n", text).rstrip().lstrip("\n")


def _decode(data: bytes, name: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise _binary(name, f"it starts with a {encoding} mark but is not") from error
    sample = data[:_SNIFF_BYTES]
    if b"\x00" not in sample:  # NULs are valid UTF-8 but mean UTF-16 or binary
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    encoding = _guess_encoding(sample)
    if encoding is None:
        raise _binary(name, "no text encoding fits its bytes")
    if b"\x00" in sample and not encoding.startswith(("utf_16", "utf_32")):
        raise _binary(name, "it contains NUL bytes")
    return data.decode(encoding, errors="replace")


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


def _binary(name: str, reason: str) -> UnsupportedFileError:
    return UnsupportedFileError(
        f"{name} looks binary: {reason}",
        hint="only text, Markdown, HTML and PDF files can be ingested",
    )
