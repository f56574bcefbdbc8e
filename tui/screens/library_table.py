"""The library screen's table: its columns, one row per document (name fitted to the width,
pages, chunks, size, date, status) under a heading per collection, and the cell formats."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import DataTable

from localchat.client import DocumentView
from tui.sanitize import one_line

COLUMNS = ("Name", "Pages", "Chunks", "Size", "Ingested", "Status")
# Cells the other columns take (their widest usual values plus the table's cell padding and
# scrollbar): the name column gets the rest of the screen's width.
OTHER_COLUMNS_CELLS = 5 + 6 + 8 + 16 + 8 + 2 * len(COLUMNS) + 2
MIN_NAME_CELLS = 16


def name_cells(screen_width: int) -> int:
    """Cells the name column gets on a screen `screen_width` cells wide."""
    return max(MIN_NAME_CELLS, screen_width - OTHER_COLUMNS_CELLS)


def fill_table(
    table: DataTable, documents: list[DocumentView], width: int, active: str
) -> list[DocumentView | None]:
    """Clear `table` and add `documents` grouped by collection, names fitted to `width` cells;
    the groups get headings when there are two or more (the `active` collection's stands
    out). Returns each row's document, None for a heading."""
    table.clear()
    groups = grouped(documents)
    headings = len(groups) > 1  # one collection needs no heading
    rows: list[DocumentView | None] = []
    for collection, members in groups:
        if headings:
            add_heading(table, collection, len(members), active=collection == active)
            rows.append(None)
        for doc in members:
            add_document(table, doc, width, key=f"{collection}:{doc.id}")
            rows.append(doc)
    return rows


def add_heading(table: DataTable, collection: str, count: int, *, active: bool) -> None:
    label = f"▾ {one_line(collection, 40)} · {count} document{'' if count == 1 else 's'}"
    style = "bold reverse" if active else "bold"
    table.add_row(Text(label, style=style), "", "", "", "", "", key=f"group:{collection}")


def add_document(table: DataTable, doc: DocumentView, width: int, key: str) -> None:
    status = Text(doc.status or "ready", style="green" if doc.status in ("", "ready") else "")
    table.add_row(
        Text(fit_name(doc.filename or doc.path, width)),
        str(doc.pages),
        str(doc.chunk_count),
        human_size(doc.size),
        Text(short_date(doc.ingested_at)),
        status,
        key=key,
    )


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def fit_name(name: str, width: int) -> str:
    """`name` on one line in `width` cells; a long one keeps its start and its end (where
    files of one series differ: "report-2023.pdf" vs "report-2024.pdf")."""
    flat = one_line(name)
    if len(flat) <= width:
        return flat
    tail = max(8, (width - 1) // 2)
    head = width - 1 - tail
    return flat[:head].rstrip() + "…" + flat[-tail:]


def grouped(documents: list[DocumentView]) -> list[tuple[str, list[DocumentView]]]:
    """(collection, its documents), "default" first; a document of two collections is in
    both groups."""
    groups: dict[str, list[DocumentView]] = {}
    for doc in documents:
        for name in doc.collections or ["default"]:
            groups.setdefault(name, []).append(doc)
    return [(name, groups[name]) for name in sorted(groups, key=lambda n: (n != "default", n))]


def short_date(stamp: str) -> str:
    """ISO-8601 or epoch seconds → "YYYY-MM-DD HH:MM"."""
    if stamp.replace(".", "", 1).isdigit():
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(float(stamp)))
    return stamp.replace("T", " ")[:16]
