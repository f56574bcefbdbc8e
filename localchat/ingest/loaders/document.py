"""What every loader returns: a document's pages of plain text plus its title and warnings."""

from __future__ import annotations

import msgspec


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
