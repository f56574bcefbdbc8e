"""The format loaders on files made by other applications (tests/localchat/ingest/data)."""

from __future__ import annotations

from pathlib import Path

from localchat.ingest.chunker import chunk_pages
from localchat.ingest.loaders import load_file

DATA = Path(__file__).parent / "data"


def test_word_made_docx_headings_and_tables():
    styles = load_file(DATA / "python-docx-par-known-styles.docx")
    assert styles.pages[0].text.endswith("# Heading 1\n\nBody Text")
    tables = load_file(DATA / "python-docx-blk-paras-and-tables.docx")
    assert tables.pages[0].text == (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n\n"
        "| Text before Text after |\n| --- |\n\n"
        "Donec semper facilisis metus finibus malesuada."
    )
    assert tables.title == "python-docx-blk-paras-and-tables"  # no core title: the file name


def test_powerpoint_made_pptx_slides_tables_and_notes():
    tables = load_file(DATA / "python-pptx-tbl-cell.pptx")
    assert [page.number for page in tables.pages] == [1, 2, 3]
    grid = "| a | b | c |\n| --- | --- | --- |\n| d | e | f |\n| g | h | i |"
    assert tables.pages[2].text == grid
    assert tables.title == "python-pptx-tbl-cell"  # PowerPoint's default "Presentation" skipped
    notes = load_file(DATA / "python-pptx-sld-notes.pptx")
    assert notes.pages[0].text == "Speaker notes: Notes"
    assert notes.warnings == ["slide 2 has no text"]


def test_excel_made_xlsx_without_a_header_row():
    document = load_file(DATA / "python-pptx-shp-embedded-xlsx.xlsx")
    assert document.pages[0].text == "## Sheet1\n\ncolumn 1: 1\ncolumn 1: 2\ncolumn 1: 3"


def test_hand_made_epub_chapters_in_spine_order():
    document = load_file(DATA / "keepers-logbook.epub")
    assert document.title == "A Keeper's Logbook"
    text = document.pages[0].text
    assert text.startswith("## I. The Lamp Room\n\nThe lamp burns paraffin")  # cover skipped
    assert "# II. Winter Supplies\n\nBefore the November gales" in text  # title from the NCX
    assert text.endswith("- Paraffin: 40 barrels\n- Coal: 2 hundredweight")
    sections = [chunk.section for chunk in chunk_pages(document.pages, 200, 20)]
    assert sections[0] == "I. The Lamp Room" and sections[-1] == "II. Winter Supplies"
