"""DOCX, PPTX, XLSX, CSV and EPUB loaders on files written in the test by the same libraries."""

from __future__ import annotations

import sys
from pathlib import Path

import docx
import openpyxl
import pptx
import pytest
from ebooklib import epub
from pptx.util import Inches

from localchat.errors import (
    CorruptFileError,
    EmptyDocumentError,
    FileTooLargeError,
    IngestError,
)
from localchat.ingest.chunker import chunk_pages
from localchat.ingest.isolate import load_file_isolated
from localchat.ingest.loaders import SUPPORTED_SUFFIXES, load_file, media_type_for


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Harbour Maintenance Plan"
    document.add_heading("Harbour Maintenance Plan", level=0)
    document.add_paragraph("The plan covers the north and south quays.")
    document.add_heading("Inspections", level=1)
    document.add_paragraph("Divers inspect the piles every spring.")
    document.add_paragraph("Check the fenders", style="List Bullet")
    document.add_paragraph("Check the bollards", style="List Bullet")
    document.add_heading("Budget", level=2)
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(
        table.rows,
        [("Item", "Quarter", "Cost EUR"), ("Dredging", "Q2", "48000"), ("Paint", "Q3", "7 500")],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Costs include VAT.")
    document.save(str(path))
    return path


def test_docx_headings_become_sections_and_tables_markdown_rows(tmp_path):
    document = load_file(make_docx(tmp_path / "plan.docx"))
    assert document.title == "Harbour Maintenance Plan"
    assert document.media_type == media_type_for(Path("x.docx"))
    assert document.pages[0].text == (
        "# Harbour Maintenance Plan\n\nThe plan covers the north and south quays.\n\n"
        "# Inspections\n\nDivers inspect the piles every spring.\n\n"
        "- Check the fenders\n- Check the bollards\n\n## Budget\n\n"
        "| Item | Quarter | Cost EUR |\n| --- | --- | --- |\n"
        "| Dredging | Q2 | 48000 |\n| Paint | Q3 | 7 500 |\n\nCosts include VAT."
    )
    sections = {chunk.section for chunk in chunk_pages(document.pages, 80, 10)}
    assert {"Inspections", "Budget"} <= sections


def make_pptx(path: Path) -> Path:
    presentation = pptx.Presentation()
    slides = [
        ("Quarterly Review", "Harbour authority, 2026", "Welcome everyone."),
        ("Ship calls", "Calls rose 12% to 1,840.", "Mention the new ferry line."),
        ("Outlook", "Dredging starts in May.", ""),
    ]
    for title, body, notes in slides:
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    table_slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    table_slide.shapes.title.text = "Berths"
    shape = table_slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1))
    cells = {(0, 0): "Berth", (0, 1): "Depth m", (1, 0): "B4", (1, 1): "14"}
    for (row, col), value in cells.items():
        shape.table.cell(row, col).text = value
    presentation.save(str(path))
    return path


def test_pptx_one_page_per_slide_with_speaker_notes(tmp_path):
    document = load_file(make_pptx(tmp_path / "review.pptx"))
    assert document.title == "Quarterly Review"  # no core title: the first slide's
    assert [page.number for page in document.pages] == [1, 2, 3, 4]
    assert document.pages[1].text == (
        "## Ship calls\n\nCalls rose 12% to 1,840.\n\nSpeaker notes: Mention the new ferry line."
    )
    assert document.pages[3].text == "## Berths\n\n| Berth | Depth m |\n| --- | --- |\n| B4 | 14 |"
    chunks = chunk_pages(document.pages, 200, 20)
    assert [chunk.page for chunk in chunks if "ferry" in chunk.text] == [2]  # cited as slide 2


def test_pptx_with_more_slides_than_max_pages_is_refused(tmp_path):
    with pytest.raises(FileTooLargeError, match="4 slides"):
        load_file(make_pptx(tmp_path / "review.pptx"), max_pages=3)


def make_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Regions"
    sheet.append(["Region", "Population", "Area km2"])
    sheet.append(["North", 120500, 5320.5])
    sheet.append(["South", 98000, None])
    sheet["D1"] = None
    totals = workbook.create_sheet("Totals")
    totals.append(["Total population", "=SUM(Regions!B2:B3)"])
    workbook.create_sheet("Empty")
    workbook.properties.title = "Regional statistics"
    workbook.save(str(path))
    return path


def test_xlsx_sheets_are_sections_and_rows_keep_their_header(tmp_path):
    document = load_file(make_xlsx(tmp_path / "stats.xlsx"))
    assert document.title == "Regional statistics"
    # openpyxl writes no cached formula values, so the formula cell reads as empty.
    assert document.pages[0].text == (
        "## Regions\n\n"
        "Region: North | Population: 120500 | Area km2: 5320.5\n"
        "Region: South | Population: 98000\n\n"
        "## Totals\n\n"
        "Total population"
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("prices.csv", 'item,price EUR\nbread,2.40\n"milk, 1 l",1.10\n'),
        ("prices.tsv", "item\tprice EUR\nbread\t2.40\nmilk, 1 l\t1.10\n"),
        ("semicolons.csv", "item;price EUR\nbread;2.40\nmilk, 1 l;1.10\n"),
    ],
)
def test_delimited_text_rows_keep_their_header(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    document = load_file(path)
    assert document.pages[0].text == (
        f"## {path.stem}\n\nitem: bread | price EUR: 2.40\nitem: milk, 1 l | price EUR: 1.10"
    )


def test_csv_without_a_header_row_gets_column_numbers(tmp_path):
    path = tmp_path / "readings.csv"
    path.write_text("2026-01-01,4.5\n2026-01-02,5.0\n")
    assert load_file(path).pages[0].text == (
        "## readings\n\ncolumn 1: 2026-01-01 | column 2: 4.5\ncolumn 1: 2026-01-02 | column 2: 5.0"
    )


def make_epub(path: Path) -> Path:
    book = epub.EpubBook()
    book.set_identifier("harbour-tales-1")
    book.set_title("Tales of the Harbour")
    book.set_language("en")
    one = epub.EpubHtml(title="The Storm", file_name="one.xhtml", lang="en")
    one.content = "<html><body><h1>The Storm</h1><p>The gale broke the east pier.</p></body></html>"
    two = epub.EpubHtml(title="The Rebuild", file_name="two.xhtml", lang="en")
    two.content = "<html><body><p>Masons rebuilt the pier in granite.</p></body></html>"
    book.add_item(one)
    book.add_item(two)
    book.toc = [one, two]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", one, two]
    epub.write_epub(str(path), book)
    return path


def test_epub_chapters_become_sections(tmp_path):
    document = load_file(make_epub(tmp_path / "tales.epub"))
    assert document.title == "Tales of the Harbour"
    text = document.pages[0].text
    assert "# The Storm\n\nThe gale broke the east pier." in text
    # The second chapter has no heading of its own: its table-of-contents title is used.
    assert text.endswith("# The Rebuild\n\nMasons rebuilt the pier in granite.")


@pytest.mark.parametrize("suffix", [".docx", ".pptx", ".xlsx", ".epub"])
def test_damaged_packages_are_corrupt_with_a_hint(tmp_path, suffix):
    not_zip = tmp_path / f"notes{suffix}"
    not_zip.write_text("plain text, not a zip package")
    with pytest.raises(CorruptFileError, match="not a zip package") as caught:
        load_file(not_zip)
    assert caught.value.hint
    wrong_zip = tmp_path / f"other{suffix}"
    make_epub(wrong_zip) if suffix != ".epub" else make_docx(wrong_zip)
    with pytest.raises(CorruptFileError, match="not a readable"):
        load_file(wrong_zip)


def test_office_files_without_text_are_empty(tmp_path):
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(EmptyDocumentError):
        load_file(path)


def test_new_formats_come_from_the_registry_and_parse_in_the_worker(tmp_path):
    assert {".docx", ".pptx", ".xlsx", ".csv", ".tsv", ".epub"} <= SUPPORTED_SUFFIXES
    document = load_file_isolated(make_pptx(tmp_path / "review.pptx"))
    assert document == load_file(tmp_path / "review.pptx")


def test_single_column_and_broken_delimited_files(tmp_path):
    single = tmp_path / "names.csv"
    single.write_text("name\nAda\nGrace\n")  # nothing to sniff: a comma-separated column
    assert load_file(single).pages[0].text == "## names\n\nname: Ada\nname: Grace"
    huge = tmp_path / "huge.csv"
    huge.write_text('a,b\n1,"' + "x" * 200_000 + '"\n')
    with pytest.raises(CorruptFileError, match="near line") as caught:
        load_file(huge)
    assert ".txt" in caught.value.hint


def test_workbook_without_values_is_empty(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.create_sheet("Second")
    workbook.save(str(tmp_path / "blank.xlsx"))
    with pytest.raises(EmptyDocumentError, match="no cell with a value"):
        load_file(tmp_path / "blank.xlsx")


def test_a_missing_format_library_is_reported_as_an_install_problem(tmp_path, monkeypatch):
    path = make_docx(tmp_path / "plan.docx")
    monkeypatch.setitem(sys.modules, "localchat.ingest.loaders.wordfile", None)
    with pytest.raises(IngestError, match="needs the package python-docx") as caught:
        load_file(path)
    assert not isinstance(caught.value, CorruptFileError) and "reinstall" in caught.value.hint
