"""Document loaders: one entry point, `load_file`, that picks a loader by file suffix.

Parsing untrusted files can hang or exhaust memory; ingestion runs `load_file` in a worker
process (see `localchat.ingest.isolate`), never directly on a server thread.
"""

from __future__ import annotations

from pathlib import Path

from localchat.errors import UnsupportedFileError
from localchat.ingest.loaders.document import LoadedDocument, Page, open_file
from localchat.ingest.loaders.html import load_html
from localchat.ingest.loaders.markdown import load_markdown
from localchat.ingest.loaders.pdf import load_pdf
from localchat.ingest.loaders.textfile import load_text

__all__ = ["SUPPORTED_SUFFIXES", "LoadedDocument", "Page", "load_file", "media_type_for"]

_PDF = {".pdf": "application/pdf"}
_MARKDOWN = {".md": "text/markdown", ".markdown": "text/markdown"}
_HTML = {".html": "text/html", ".htm": "text/html", ".xhtml": "text/html"}
# Text formats read as they are: the words are what retrieval needs.
_TEXT = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".log": "text/plain",
    ".rst": "text/x-rst",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",
}
_MEDIA_TYPES = {**_PDF, **_MARKDOWN, **_HTML, **_TEXT}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_MEDIA_TYPES)


def media_type_for(path: Path) -> str:
    """The media type `load_file` would report, or UnsupportedFileError."""
    suffix = path.suffix.lower()
    if suffix not in _MEDIA_TYPES:
        supported = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnsupportedFileError(
            f"{path.name}: files of type '{suffix or '(no suffix)'}' cannot be ingested",
            hint=f"supported: {supported}",
        )
    return _MEDIA_TYPES[suffix]


def load_file(path: Path, *, max_pages: int = 5000) -> LoadedDocument:
    """Read and parse one file into pages of plain text.

    Raises UnsupportedFileError (unknown suffix, binary content), EmptyDocumentError,
    EncryptedFileError, CorruptFileError, FileTooLargeError (PDF over `max_pages`), or
    IngestError when the file cannot be read at all.
    """
    path = Path(path)
    media_type = media_type_for(path)
    suffix = path.suffix.lower()
    if suffix in _MARKDOWN:  # text and Markdown are read in blocks, never whole
        return load_markdown(path)
    if suffix in _TEXT:
        return load_text(path, media_type)
    data = _read(path)
    if suffix in _PDF:
        return load_pdf(path, data, max_pages)
    return load_html(path, data)


def _read(path: Path) -> bytes:
    with open_file(path) as handle:
        return handle.read()
