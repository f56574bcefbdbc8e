"""Table PDFs keep one row per line with cells apart (issue 13 item 7)."""

from __future__ import annotations

import pytest

from localchat.ingest.chunker import chunk_pages
from localchat.ingest.loaders import load_file
from localchat.ingest.loaders.pdftables import _table_blocks
from tests.localchat.ingest.loader_pdfs import statistics_rows, table_pdf


def markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


@pytest.mark.parametrize("grid", [True, False], ids=["ruled", "unruled"])
def test_every_row_of_a_dense_statistics_table_is_one_line_of_cells(tmp_path, grid):
    rows = statistics_rows(seed=3)
    caption = "Table 4: Households by region and year, from the regional survey."
    document = load_file(table_pdf(tmp_path / "table.pdf", rows, grid=grid, caption=caption))
    lines = document.pages[0].text.split("\n")
    assert lines[0] == caption
    header_at = lines.index(markdown_row(rows[0]))
    assert lines[header_at + 1] == "|" + " --- |" * len(rows[0])
    assert lines[header_at + 2 :] == [markdown_row(row) for row in rows[1:]]


def test_a_chunk_holds_whole_rows(tmp_path):
    rows = statistics_rows(seed=5)
    document = load_file(table_pdf(tmp_path / "table.pdf", rows, grid=False))
    chunks = chunk_pages(document.pages, 512, 100)
    wanted = markdown_row(rows[7])
    assert any(wanted in chunk.text.split("\n") for chunk in chunks)


def test_only_runs_of_numeric_rows_are_tables():
    layout = "\n".join(
        [
            "Costs    of    the    work",  # words only: not a row of a table
            "Item        Hours      Cost",
            "Dredging      120     9,600",
            "Paint          14     1,120",
            "Total         134    10,720",
            "",
            "Signed      by      the      engineer",
            "A   1   2",  # a lone numeric line is no table
        ]
    )
    assert _table_blocks(layout) == [
        [
            ["Item", "Hours", "Cost"],
            ["Dredging", "120", "9,600"],
            ["Paint", "14", "1,120"],
            ["Total", "134", "10,720"],
        ]
    ]
