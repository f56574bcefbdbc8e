"""PDF files via pypdf: one Page per physical page, with paragraphs rebuilt from the layout."""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from localchat.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    FileTooLargeError,
)
from localchat.ingest.loaders.document import LoadedDocument, Page
from localchat.ingest.loaders.ocr import (
    EXTRA_HINT,
    OcrUnavailable,
    PageReader,
    RapidOcrReader,
    has_images,
    ocr_installed,
)
from localchat.ingest.loaders.pdflayout import Line, body_size, page_text, read_lines
from localchat.ingest.loaders.pdfrunning import without_running_lines
from localchat.ingest.loaders.pdftables import mark_table_rows

_JUNK_TITLES = frozenset({"", "untitled", "title", "document", "slide 1"})
_OFFICE_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.IGNORECASE)


def load_pdf(path: Path, data: bytes, max_pages: int) -> LoadedDocument:
    """Extract every page. Fails on encrypted, corrupt, image-only or over-long files.

    A PDF with more than `max_pages` pages raises FileTooLargeError before any page is read:
    ingesting only its start would answer questions from part of a document without saying
    so. Pages without text are kept (empty) with a warning, so page numbers stay physical.
    """
    with _quiet_pypdf():
        reader = _open(path.name, data)
        count = _page_count(reader, path.name)
        if count > max_pages:
            raise FileTooLargeError(
                f"{path.name} has {count} pages, more than the limit of {max_pages}",
                hint="raise ingest.max_pages or split the file",
            )
        pages, problems, unreadable = _extract_pages(reader, count)
        title = _metadata_title(reader)
    if count and unreadable == count:
        raise CorruptFileError(
            f"{path.name}: no page could be read ({problems[0]})",
            hint="the PDF is damaged; re-export or re-download it",
        )
    if not any(page.text for page in pages):
        raise EmptyDocumentError(
            f"{path.name} has no extractable text; it may be a scanned document",
            hint="run OCR on it first (e.g. `ocrmypdf in.pdf out.pdf`) and ingest the result"
            if ocr_installed()
            else f"{EXTRA_HINT}, or run OCR on it first (e.g. `ocrmypdf in.pdf out.pdf`)",
        )
    title = title or _first_heading(pages) or path.stem
    return LoadedDocument(pages=pages, title=title, media_type="application/pdf", warnings=problems)


def _open(name: str, data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception as error:  # pypdf raises many kinds on damaged files
        raise _corrupt(name, error) from error
    if reader.is_encrypted:
        _decrypt(reader, name)
    return reader


def _decrypt(reader: PdfReader, name: str) -> None:
    """Many PDFs are encrypted only to restrict copying, with an empty user password."""
    try:
        result = reader.decrypt("")
    except DependencyError as error:
        raise EncryptedFileError(
            f"{name} is encrypted with a cipher this installation cannot open",
            hint="install the 'cryptography' package",
        ) from error
    except Exception as error:
        raise _corrupt(name, error) from error
    if result == PasswordType.NOT_DECRYPTED:
        raise EncryptedFileError(
            f"{name} is password-protected",
            hint="save an unprotected copy (e.g. `qpdf --decrypt`) and ingest that",
        )


def _page_count(reader: PdfReader, name: str) -> int:
    try:
        return len(reader.pages)
    except Exception as error:
        raise _corrupt(name, error) from error


def _extract_pages(reader: PdfReader, count: int) -> tuple[list[Page], list[str], int]:
    """Pages (empty text where none could be had), warnings, and how many pages failed."""
    problems: list[str] = []
    page_lines: list[list[Line]] = []
    failed: set[int] = set()
    for number in range(1, count + 1):
        try:
            page = reader.pages[number - 1]
            lines = read_lines(page)
            mark_table_rows(page, lines)
            page_lines.append(lines)
        except Exception as error:  # one bad page must not lose the others
            problems.append(f"page {number} could not be read ({type(error).__name__})")
            failed.add(number)
            page_lines.append([])
    page_lines, dropped = without_running_lines(page_lines)
    problems += dropped
    body = body_size(page_lines)
    pages = [Page(number, page_text(lines, body)) for number, lines in enumerate(page_lines, 1)]
    ocr = RapidOcrReader() if ocr_installed() else None
    for index, page in enumerate(pages):
        if not page.text and page.number not in failed:
            pages[index], problem = _without_text_layer(reader, page.number, ocr)
            problems.append(problem)
    return pages, problems, len(failed)


def _without_text_layer(reader: PdfReader, number: int, ocr: PageReader | None) -> tuple[Page, str]:
    """The page read by OCR when it is an image and OCR is installed, and what to tell."""
    page = reader.pages[number - 1]
    if not has_images(page):
        return Page(number, ""), f"page {number} has no extractable text (scanned image?)"
    if ocr is None:
        return Page(number, ""), f"page {number} is an image without a text layer: {EXTRA_HINT}"
    try:
        text = ocr(page)
    except OcrUnavailable as error:
        return Page(number, ""), f"page {number} is an image without a text layer: {error}"
    except Exception as error:  # an OCR failure loses this page's text, not the document
        return Page(number, ""), f"page {number}: OCR failed ({type(error).__name__})"
    if not text:
        return Page(number, ""), f"page {number} is an image in which OCR found no text"
    return Page(number, text), f"page {number} was read by OCR; its text may have errors"


def _metadata_title(reader: PdfReader) -> str:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # metadata is optional; a broken info dict must not fail the file
        return ""
    title = _OFFICE_PREFIX.sub("", str(title or "")).strip()
    return "" if title.lower() in _JUNK_TITLES else title


def _first_heading(pages: list[Page]) -> str:
    """A heading on the first page with text: a later page's heading names a section, not the
    document (issue 13: a report was titled after its page-2 "Background")."""
    first = next((page for page in pages if page.text), None)
    match = re.search(r"^#{1,2} (.+)$", first.text, re.MULTILINE) if first else None
    return match.group(1).strip() if match else ""


def _corrupt(name: str, error: Exception) -> CorruptFileError:
    return CorruptFileError(
        f"{name} is not a readable PDF ({type(error).__name__}: {error})"[:300],
        hint="the file may be truncated or damaged; re-export or re-download it",
    )


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs and warns about every font quirk it works around; none of it is actionable."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
