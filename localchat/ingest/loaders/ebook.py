"""EPUB books via ebooklib: chapters in spine order, each a `#` section of readable text."""

from __future__ import annotations

import warnings
from pathlib import Path

import ebooklib
from ebooklib import epub
from selectolax.lexbor import LexborHTMLParser

from localchat.errors import EmptyDocumentError
from localchat.ingest.loaders.document import LoadedDocument, Page
from localchat.ingest.loaders.html import html_to_text
from localchat.ingest.loaders.packaged import package_errors

MEDIA_TYPE = "application/epub+zip"


def load_epub(path: Path) -> LoadedDocument:
    """One page (books have no fixed pages); a chapter without a heading gets its TOC title."""
    with package_errors(path, "EPUB"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ebooklib warns about its own future defaults
        book = epub.read_epub(str(path), options={"ignore_ncx": True})
        toc_titles = _toc_titles(book.toc)
        chapters = [
            _chapter(item, toc_titles.get(item.get_name(), "")) for item in _spine_documents(book)
        ]
        titles = book.get_metadata("DC", "title")
    text = "\n\n".join(chapter for chapter in chapters if chapter)
    if not text:
        raise EmptyDocumentError(f"{path.name} has no text in its chapters")
    title = str(titles[0][0]).strip() if titles else ""
    return LoadedDocument(pages=[Page(1, text)], title=title or path.stem, media_type=MEDIA_TYPE)


def _spine_documents(book: epub.EpubBook) -> list[epub.EpubItem]:
    """The reading order's documents; non-linear ones (covers, pop-up notes) are left out."""
    items = []
    for entry in book.spine:
        idref, linear = entry if isinstance(entry, tuple) else (entry, "yes")
        item = book.get_item_with_id(idref)
        if item is not None and item.get_type() == ebooklib.ITEM_DOCUMENT and linear != "no":
            items.append(item)
    return items


def _chapter(item: epub.EpubItem, toc_title: str) -> str:
    text = html_to_text(LexborHTMLParser(item.get_content().decode("utf-8", "replace")))
    if text and toc_title and not text.startswith("#"):
        text = f"# {toc_title}\n\n{text}"
    return text


def _toc_titles(toc: object) -> dict[str, str]:
    """File name → title from the book's table of contents (nested sections included)."""
    titles: dict[str, str] = {}
    stack = list(toc) if isinstance(toc, list | tuple) else []
    while stack:
        entry = stack.pop()
        if isinstance(entry, tuple):  # (Section, [children])
            stack.extend(entry[1])
            entry = entry[0]
        href = getattr(entry, "href", "") or ""
        title = getattr(entry, "title", "") or ""
        if href and title:
            titles.setdefault(href.split("#", 1)[0], title)
    return titles
