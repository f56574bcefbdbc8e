"""Document loaders: one entry point, `load_file`, that picks a loader by file suffix.

`LOADERS` is the one registry of formats: the suffixes ingestion accepts (`SUPPORTED_SUFFIXES`,
used by the folder walker and the upload check), their media types and their parsers all come
from it. Parsing untrusted files can hang or exhaust memory; ingestion runs `load_file` in a
worker process (see `localchat.ingest.isolate`), never directly on a server thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from localchat.errors import IngestError, UnsupportedFileError
from localchat.ingest.loaders.document import LoadedDocument, Page, open_file
from localchat.ingest.loaders.html import load_html
from localchat.ingest.loaders.markdown import load_markdown
from localchat.ingest.loaders.pdf import load_pdf
from localchat.ingest.loaders.textfile import load_text

__all__ = [
    "LOADERS",
    "SUPPORTED_SUFFIXES",
    "LoadedDocument",
    "Page",
    "load_file",
    "media_type_for",
]


class Format(NamedTuple):
    """A file format: its media type and the parser for it (path, max_pages → document)."""

    media_type: str
    load: Callable[[Path, str, int], LoadedDocument]


def _pdf(path: Path, media_type: str, max_pages: int) -> LoadedDocument:
    return load_pdf(path, _read(path), max_pages)


def _html(path: Path, media_type: str, max_pages: int) -> LoadedDocument:
    return load_html(path, _read(path))


def _markdown(path: Path, media_type: str, max_pages: int) -> LoadedDocument:
    return load_markdown(path)  # read in blocks, never whole


def _text(path: Path, media_type: str, max_pages: int) -> LoadedDocument:
    return load_text(path, media_type)


# The Office and EPUB libraries (lxml, python-docx, python-pptx, openpyxl, ebooklib) are
# imported on first use: importing them all up front costs the parser worker ~100 MB of
# address space against its memory limit, and most libraries hold none of these files.
def _docx(path: Path, media_type: str, max_pages: int) -> LoadedDocument:
    with _needs("python-docx"):
        from localchat.ingest.loaders.wordfile import load_docx
    return load_docx(path)


def _pptx(path: Path, media_type: str, max_pages: int) -> LoadedDocument:
    with _needs("python-pptx"):
        from localchat.ingest.loaders.slides import load_pptx
    return load_pptx(path, max_pages)


def _xlsx(path: Path, media_type: str, max_pages: int) -> LoadedDocument:
    with _needs("openpyxl"):
        from localchat.ingest.loaders.sheets import load_xlsx
    return load_xlsx(path)


def _delimited(path: Path, media_type: str, max_pages: int) -> LoadedDocument:
    from localchat.ingest.loaders.sheets import load_csv

    return load_csv(path, media_type)


def _epub(path: Path, media_type: str, max_pages: int) -> LoadedDocument:
    with _needs("ebooklib"):
        from localchat.ingest.loaders.ebook import load_epub
    return load_epub(path)


_OOXML = "application/vnd.openxmlformats-officedocument"
LOADERS: dict[str, Format] = {
    ".pdf": Format("application/pdf", _pdf),
    ".md": Format("text/markdown", _markdown),
    ".markdown": Format("text/markdown", _markdown),
    ".html": Format("text/html", _html),
    ".htm": Format("text/html", _html),
    ".xhtml": Format("text/html", _html),
    ".docx": Format(f"{_OOXML}.wordprocessingml.document", _docx),
    ".pptx": Format(f"{_OOXML}.presentationml.presentation", _pptx),
    ".xlsx": Format(f"{_OOXML}.spreadsheetml.sheet", _xlsx),
    ".csv": Format("text/csv", _delimited),
    ".tsv": Format("text/tab-separated-values", _delimited),
    ".epub": Format("application/epub+zip", _epub),
    # Text formats read as they are: the words are what retrieval needs.
    ".txt": Format("text/plain", _text),
    ".text": Format("text/plain", _text),
    ".log": Format("text/plain", _text),
    ".rst": Format("text/x-rst", _text),
    ".json": Format("application/json", _text),
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(LOADERS)


def media_type_for(path: Path) -> str:
    """The media type `load_file` would report, or UnsupportedFileError."""
    return _format(path).media_type


def load_file(path: Path, *, max_pages: int = 5000) -> LoadedDocument:
    """Read and parse one file into pages of plain text.

    Raises UnsupportedFileError (unknown suffix, binary content), EmptyDocumentError,
    EncryptedFileError, CorruptFileError, FileTooLargeError (more than `max_pages` pages or
    slides), or IngestError when the file cannot be read at all.
    """
    path = Path(path)
    found = _format(path)
    return found.load(path, found.media_type, max_pages)


def _format(path: Path) -> Format:
    suffix = path.suffix.lower()
    if suffix not in LOADERS:
        supported = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnsupportedFileError(
            f"{path.name}: files of type '{suffix or '(no suffix)'}' cannot be ingested",
            hint=f"supported: {supported}",
        )
    return LOADERS[suffix]


@contextmanager
def _needs(library: str) -> Iterator[None]:
    """A missing format library is a broken install, not a damaged file: say so."""
    try:
        yield
    except ImportError as error:
        raise IngestError(
            f"reading this format needs the package {library}, which is not installed",
            hint=f"reinstall LocalChat (its dependencies include {library})",
        ) from error


def _read(path: Path) -> bytes:
    with open_file(path) as handle:
        return handle.read()
