"""Word files (.docx) via python-docx: headings become `#` sections, tables Markdown rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from localchat.errors import EmptyDocumentError
from localchat.ingest.loaders.document import LoadedDocument, Page, meaningful_title
from localchat.ingest.loaders.markdown import first_heading
from localchat.ingest.loaders.packaged import package_errors
from localchat.ingest.loaders.tables import markdown_table

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_HEADING_STYLE = re.compile(r"^Heading (\d)$")
_SPACES = re.compile(r"[ \t\u00a0]+")


def load_docx(path: Path) -> LoadedDocument:
    """One page (Word files store no page breaks a reader can trust) in reading order."""
    with package_errors(path, "Word (.docx)"):
        document = docx.Document(str(path))
        blocks = list(_blocks(document))
        title = meaningful_title(document.core_properties.title)
    text = "\n\n".join(blocks)
    if not text:
        raise EmptyDocumentError(f"{path.name} has no text", hint="nothing to ingest")
    title = title or first_heading(text) or path.stem
    return LoadedDocument(pages=[Page(1, text)], title=title, media_type=MEDIA_TYPE)


def _blocks(document: Document) -> Iterator[str]:
    list_run: list[str] = []  # consecutive list items share one block
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            text, is_item = _table_text(item), False
        else:
            text, is_item = _paragraph_text(item)
        if is_item:
            list_run.append(text)
            continue
        if list_run:
            yield "\n".join(list_run)
            list_run = []
        if text:
            yield text
    if list_run:
        yield "\n".join(list_run)


def _paragraph_text(paragraph: Paragraph) -> tuple[str, bool]:
    """The paragraph as a Markdown line, and whether it is a list item."""
    text = _SPACES.sub(" ", paragraph.text).strip()
    if not text:
        return "", False
    style = paragraph.style.name if paragraph.style is not None else ""
    if style == "Title":
        return f"# {text}", False
    match = _HEADING_STYLE.match(style)
    if match:
        return f"{'#' * min(int(match.group(1)), 6)} {text}", False
    if style.startswith("List") or _numbered(paragraph):
        return f"- {text}", True
    return text, False


def _numbered(paragraph: Paragraph) -> bool:
    """Direct numbering (w:numPr) marks list items whose style is not a List style."""
    properties = paragraph._p.pPr  # python-docx has no public accessor for numbering
    return properties is not None and properties.numPr is not None


def _table_text(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats across the columns it spans
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text)
        rows.append(cells)
    return markdown_table(rows)
