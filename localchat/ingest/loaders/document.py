"""What every loader returns: a document's pages of plain text plus its title and warnings."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import msgspec

from localchat.errors import IngestError


class Page(msgspec.Struct, frozen=True):
    """One page of extracted text. `number` is 1-based; non-paged formats have only page 1."""

    number: int
    text: str


class LoadedDocument(msgspec.Struct):
    """A parsed file: pages in order, a display title, its media type and what went wrong.

    `warnings` are for a person (e.g. "page 3 has no extractable text (scanned image?)"); a
    document with warnings is still usable.
    """

    pages: list[Page]
    title: str
    media_type: str
    warnings: list[str] = msgspec.field(default_factory=list)

    @property
    def char_count(self) -> int:
        return sum(len(page.text) for page in self.pages)


# Titles that applications write by default; they name no document.
_PLACEHOLDER_TITLES = frozenset(
    {"", "untitled", "title", "document", "presentation", "powerpoint presentation", "slide 1"}
)


def meaningful_title(title: object) -> str:
    """A metadata title, or "" when it is missing or an application's default."""
    text = str(title or "").strip()
    return "" if text.lower() in _PLACEHOLDER_TITLES else text


def open_file(path: Path) -> BinaryIO:
    """The file opened for reading in binary, or an IngestError that says what is wrong."""
    try:
        return open(path, "rb")  # closed by the caller's `with`
    except FileNotFoundError as error:
        raise IngestError(f"{path} does not exist", hint="check the path") from error
    except IsADirectoryError as error:
        raise IngestError(f"{path} is a folder", hint="pass the files inside it") from error
    except OSError as error:
        raise IngestError(f"{path} cannot be read: {error.strerror}") from error
