"""Tables as text that keeps rows apart: Markdown rows, or rows labelled with their header."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_SPACES = re.compile(r"\s+")


def cell_text(value: object) -> str:
    """One cell on one line: whitespace runs (newlines too) become one space, pipes escaped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store 1200 as 1200.0
    return _SPACES.sub(" ", str(value)).strip().replace("|", "\\|")


def markdown_table(rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table, the first row as its header; rows without any text are left out."""
    cleaned = [[cell_text(cell) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return ""
    width = max(len(row) for row in cleaned)
    lines = [_row([*row, *[""] * (width - len(row))]) for row in cleaned]
    lines.insert(1, _row(["---"] * width))
    return "\n".join(lines)


def labelled_rows(rows: Iterable[Sequence[object]]) -> list[str]:
    """Each data row as one line "Header: value | Header: value", empty cells left out.

    A chunk of a long sheet rarely starts at its header row; labelling every row keeps each
    value next to the name of its column, wherever the chunk boundaries fall.
    """
    header: list[str] | None = None
    lines: list[str] = []
    for row in rows:
        cells = [cell_text(cell) for cell in row]
        if not any(cells):
            continue
        if header is None:
            header = cells
            if _looks_like_header(row):
                continue
            header = [f"column {index}" for index in range(1, len(cells) + 1)]
        names = [*header, *(f"column {i}" for i in range(len(header) + 1, len(cells) + 1))]
        pairs = zip(names, cells, strict=False)  # names cover every cell, rows may be short
        lines.append(" | ".join(f"{name}: {cell}" for name, cell in pairs if cell))
    if header is not None and not lines:  # a lone row of labels is still text
        lines.append(" | ".join(cell for cell in header if cell))
    return lines


def _looks_like_header(row: Sequence[object]) -> bool:
    """A first row of distinct text labels (no numbers, no gaps) names the columns."""
    values = [cell for cell in row if cell not in (None, "")]
    texts = [cell_text(cell) for cell in values]
    return (
        bool(values)
        and len(values) == len(row) - _trailing_empty(row)
        and all(isinstance(cell, str) and not _is_number(cell) for cell in values)
        and len(set(texts)) == len(texts)
    )


def _trailing_empty(row: Sequence[object]) -> int:
    count = 0
    for cell in reversed(row):
        if cell not in (None, ""):
            break
        count += 1
    return count


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
