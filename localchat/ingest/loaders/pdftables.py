"""Table rows in PDFs: one line per row with its cells kept apart, as Markdown table rows.

The plain extraction gives a table row as one line of numbers separated by single spaces, and
the paragraph rules then join the rows into one run ("North East 19,773 6,329 … North West
71,794 …"), so a question about one row's cell retrieves poorly (issue 13 item 7). pypdf's layout
mode places text on a character grid, which keeps rows on their own lines and puts two or more
spaces between cells. We use it only to find the cells of lines that look like table rows, and
only on pages that have such lines (layout mode costs about as much as the plain pass).

Why pypdf's layout mode and not pdfplumber: on generated dense statistics tables (18 regions ×
20 numeric columns, 6.5 pt, with and without ruling lines, 3 seeds each) both recovered every
row exactly (pypdf layout, pdfplumber's "text" strategy; pdfplumber's default "lines" strategy
found nothing without rulings), and pypdf took ~55 ms per page against ~240 ms for pdfplumber,
with no second PDF parser to install and to expose to hostile files.
"""

from __future__ import annotations

import re

from pypdf import PageObject

from localchat.ingest.loaders.pdflayout import Line, clean_text

_CELL_GAP = re.compile(r" {2,}")
_NUMBER = re.compile(r"^[-+−(]?[$€£¥]?\d[\d,.\s]*%?\)?$")
_MIN_CELLS = 3
_MIN_ROWS = 3


def mark_table_rows(page: PageObject, lines: list[Line]) -> None:
    """Set `cells` (and `header` on each table's first row) of the lines that are table rows."""
    if sum(_numeric_line(line.text) for line in lines) < _MIN_ROWS:
        return
    layout = page.extract_text(extraction_mode="layout")
    rows: dict[str, tuple[list[str], bool]] = {}
    for block in _table_blocks(layout):
        for index, cells in enumerate(block):
            rows.setdefault(" ".join(cells), (cells, index == 0))
    for line in lines:
        found = rows.get(line.text)
        if found is not None:
            line.cells, line.header = found


def _table_blocks(layout: str) -> list[list[list[str]]]:
    """Runs of at least 3 consecutive rows of mostly numeric cells, each with a header row
    above it when that line has the same number of cells."""
    rows = [
        [clean_text(cell) for cell in _CELL_GAP.split(line.strip())]
        for line in layout.splitlines()
        if line.strip()
    ]
    blocks: list[list[list[str]]] = []
    current: list[list[str]] = []
    for index, cells in enumerate([*rows, []]):  # the empty row closes the last block
        if _numeric_row(cells) and (not current or len(cells) == len(current[-1])):
            if not current and index > 0 and len(rows[index - 1]) == len(cells):
                current.append(rows[index - 1])  # the header
            current.append(cells)
            continue
        if sum(_numeric_row(row) for row in current) >= _MIN_ROWS:
            blocks.append(current)
        current = [cells] if _numeric_row(cells) else []
    return blocks


def _numeric_row(cells: list[str]) -> bool:
    numbers = sum(bool(_NUMBER.match(cell)) for cell in cells)
    return len(cells) >= _MIN_CELLS and numbers * 2 >= len(cells)


def _numeric_line(text: str) -> bool:
    """A cheap pre-check on the plain text: a line of 4 or more numbers, mostly numbers."""
    tokens = text.split()
    numbers = sum(bool(_NUMBER.match(token)) for token in tokens)
    return numbers >= 4 and numbers * 2 >= len(tokens)
