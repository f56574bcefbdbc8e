"""Spreadsheets (.xlsx via openpyxl) and delimited text (.csv, .tsv via the csv module).

A sheet is a section (`## Sheet name`) and every row stays one line, its cells labelled with
their column header (see `tables.labelled_rows`), so a chunk cut anywhere in a long sheet
still says which column each number belongs to.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl

from localchat.errors import CorruptFileError, EmptyDocumentError
from localchat.ingest.loaders.document import LoadedDocument, Page, meaningful_title
from localchat.ingest.loaders.packaged import package_errors
from localchat.ingest.loaders.tables import labelled_rows
from localchat.ingest.loaders.textfile import read_text

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SNIFF_CHARS = 16 * 1024


def load_xlsx(path: Path) -> LoadedDocument:
    """Every sheet with data, in workbook order; formulas give their last computed values."""
    with package_errors(path, "Excel (.xlsx)"):
        # read_only streams rows instead of building every cell object up front.
        workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
        try:
            sections = [
                _section(sheet.title, labelled_rows(sheet.iter_rows(values_only=True)))
                for sheet in workbook.worksheets
            ]
            title = meaningful_title(workbook.properties.title)
        finally:
            workbook.close()
    text = "\n\n".join(section for section in sections if section)
    if not text:
        raise EmptyDocumentError(f"{path.name} has no cell with a value", hint="nothing to ingest")
    return LoadedDocument(pages=[Page(1, text)], title=title or path.stem, media_type=MEDIA_TYPE)


def load_csv(path: Path, media_type: str = "text/csv") -> LoadedDocument:
    """A delimited text file as one sheet named after the file."""
    source = read_text(path)
    delimiter = "\t" if media_type == "text/tab-separated-values" else _delimiter(source)
    rows = csv.reader(io.StringIO(source), delimiter=delimiter)
    lines = labelled_rows(_guarded(rows, path))
    if not lines:
        raise EmptyDocumentError(f"{path.name} has no data rows", hint="nothing to ingest")
    text = _section(path.stem, lines)
    return LoadedDocument(pages=[Page(1, text)], title=path.stem, media_type=media_type)


def _section(name: str, lines: list[str]) -> str:
    return f"## {name}\n\n" + "\n".join(lines) if lines else ""


def _delimiter(source: str) -> str:
    """The sniffed delimiter among , ; tab and |, else a comma."""
    try:
        return csv.Sniffer().sniff(source[:_SNIFF_CHARS], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _guarded(rows: Any, path: Path) -> Iterator[list[str]]:  # rows: a csv.reader
    """The rows; a line csv cannot read (a field over its 128 KiB limit) fails the file."""
    try:
        yield from rows
    except csv.Error as error:
        raise CorruptFileError(
            f"{path.name} cannot be read as a table near line {rows.line_num}: {error}"[:300],
            hint="check the file's quoting, or rename it to .txt to ingest it as plain text",
        ) from error
