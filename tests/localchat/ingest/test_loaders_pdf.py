"""PDF loading: real documents (reading order, paragraphs, pages) and damaged or odd files."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from localchat.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    FileTooLargeError,
)
from localchat.ingest.loaders import load_file
from localchat.ingest.loaders.pdflayout import Line, clean_text, page_text
from tests.localchat.ingest.corpus import corpus_file, load_corpus

FAA = "faa-amt_handbook_sample.pdf"
GO_PAPER = "go-gofrontend-gcc-summit-2010.pdf"
REGISTER = "federal-register-2020-17221.pdf"


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[a-z0-9]+", text.lower()))


def write_pdf(path: Path, writer: PdfWriter) -> Path:
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def faa_with_blank_pages(blank_pages: int) -> PdfWriter:
    writer = PdfWriter(clone_from=str(corpus_file(FAA)))
    for _ in range(blank_pages):
        writer.add_blank_page(width=612, height=792)
    return writer


# -- real documents ---------------------------------------------------------------------------


def test_faa_page_matches_the_docling_ground_truth():
    document = load_corpus(FAA)
    truth = words(corpus_file("faa-amt_handbook_sample.docling-groundtruth.md").read_text())
    truth.pop("image", None)  # docling's "<!-- image -->" placeholders are not page text
    found = words(document.pages[0].text)
    recall = sum(min(count, found[word]) for word, count in truth.items()) / truth.total()
    assert recall >= 0.97
    assert document.title == "AMT General Handbook"  # from the PDF metadata
    assert document.media_type == "application/pdf"
    assert document.warnings == []


def test_faa_paragraphs_are_separated_by_blank_lines():
    text = load_corpus(FAA).pages[0].text
    assert "\n\nBoots Self-Locking Nut\n\nThe Boots self-locking nut is of one piece" in text
    assert "Plates must be attached to the structure" in text  # lines joined into paragraphs
    assert "  " not in text and "\n\n\n" not in text


def test_two_column_paper_keeps_reading_order_pages_and_headings():
    document = load_corpus(GO_PAPER)
    assert [page.number for page in document.pages] == list(range(1, 15))
    assert document.title == "The Go frontend for GCC"  # no metadata title: first heading
    first = document.pages[0].text
    # The paragraph runs from the bottom of the left column to the top of the right one.
    assert "collection of C++ classes. The initial form of GOGO closely mirrors the Go" in first
    assert "issues with hooking up any frontend" in first  # "hook-" + "ing" mended
    assert "\n\n## 1 Introduction\n\n" in first
    assert "\n1\n" not in first and not first.endswith("\n\n1")  # page number dropped
    assert "\n## 7 Runtime\n" in document.pages[9].text  # physical page 10


def test_three_column_register_mends_numbers_urls_and_accents():
    document = load_corpus(REGISTER)
    text = "\n".join(page.text for page in document.pages)
    assert len(document.pages) == 15
    assert "Model 737–8 and 737–9 (737 MAX) airplanes" in text
    assert "internet https://www.myboeingfleet.com" in text
    assert "Agência Nacional de Aviação Civil" in text
    assert "Federal Register / Vol. 85" not in text  # running header with page number 47699…
    # The production footer ("… Frm 00008 Fmt 4702 Sfmt 4702 …") goes from every page but page
    # 8, where it reads "Sfmt 4725": a number that differs other than by the page number is
    # never dropped (issue 13 item 3), so that one copy stays.
    assert [page.number for page in document.pages if "Sfmt" in page.text] == [8]
    assert text.count("Sfmt") == 1 and "Sfmt 4725" in text


# -- odd and damaged files --------------------------------------------------------------------


def test_password_protected_pdf_is_refused(tmp_path):
    writer = PdfWriter(clone_from=str(corpus_file(FAA)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    with pytest.raises(EncryptedFileError, match="password-protected"):
        load_file(write_pdf(tmp_path / "locked.pdf", writer))


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128"])
def test_copy_protection_with_empty_password_is_opened(tmp_path, algorithm):
    writer = PdfWriter(clone_from=str(corpus_file(FAA)))
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    document = load_file(write_pdf(tmp_path / "protected.pdf", writer))
    assert document.pages == load_corpus(FAA).pages


@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.9])
def test_truncated_pdf_is_corrupt(tmp_path, fraction):
    data = corpus_file(GO_PAPER).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * fraction)] or b"%PDF-1.4\n")
    with pytest.raises(CorruptFileError) as caught:
        load_file(path)
    assert "cut.pdf" in caught.value.message and caught.value.hint


def test_text_file_named_pdf_is_corrupt(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("just some notes, not a PDF\n" * 10)
    with pytest.raises(CorruptFileError):
        load_file(path)


def test_image_only_pages_warn_and_keep_physical_numbers(tmp_path):
    document = load_file(write_pdf(tmp_path / "mixed.pdf", faa_with_blank_pages(2)))
    assert [page.number for page in document.pages] == [1, 2, 3]
    assert [bool(page.text) for page in document.pages] == [True, False, False]
    assert document.warnings == [
        "page 2 has no extractable text (scanned image?)",
        "page 3 has no extractable text (scanned image?)",
    ]


def test_pdf_without_any_text_asks_for_ocr(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    with pytest.raises(EmptyDocumentError) as caught:
        load_file(write_pdf(tmp_path / "scan.pdf", writer))
    assert "OCR" in caught.value.hint


def test_too_many_pages_is_refused_before_parsing(tmp_path):
    path = write_pdf(tmp_path / "long.pdf", faa_with_blank_pages(3))
    with pytest.raises(FileTooLargeError, match="4 pages, more than the limit of 3") as caught:
        load_file(path, max_pages=3)
    assert caught.value.status == 413
    assert len(load_file(path, max_pages=4).pages) == 4
    assert len(PdfReader(path).pages) == 4


# -- paragraph reconstruction rules (synthetic lines) -----------------------------------------


def line(text: str, y: float, *, x: float = 72.0, size: float = 10.0, font: str = "R") -> Line:
    result = Line(text=text, x=x, y=y, size=size, placed=True)
    result.fonts[font] = len(text)
    return result


def test_lines_join_and_hyphenation_is_mended_unless_the_compound_is_real():
    lines = [
        line("A self-locking nut is a nut that resists loosen-", 700),
        line("ing under vibration. It is self-", 688),
        line("locking by design and well suited to engines.", 676),
    ]
    assert page_text(lines, 10.0) == (
        "A self-locking nut is a nut that resists loosening under vibration. "
        "It is self-locking by design and well suited to engines."
    )


def test_tall_gaps_indents_and_font_changes_start_paragraphs():
    lines = [
        line("First paragraph text that runs the full width of the column.", 700),
        line("Second paragraph after a tall gap, also running the full width.", 670),
        line("More of it, and then an indented first line follows below here.", 658),
        line("Indented start of the third paragraph running to the margin.", 646, x=84),
        line("Short heading", 634, font="B"),
        line("Body text in the regular font that fills the line to the end.", 622),
    ]
    assert page_text(lines, 10.0).split("\n\n") == [
        "First paragraph text that runs the full width of the column.",
        "Second paragraph after a tall gap, also running the full width. "
        "More of it, and then an indented first line follows below here.",
        "Indented start of the third paragraph running to the margin.",
        "Short heading",
        "Body text in the regular font that fills the line to the end.",
    ]


def test_large_type_becomes_headings_and_bullets_stay_on_their_lines():
    lines = [
        line("Big Title", 760, size=20),
        line("1 Introduction", 730, size=12),
        line("Items follow:", 712),
        line("• first item", 700),
        line("• second item", 688),
    ]
    assert page_text(lines, 10.0) == (
        "# Big Title\n\n## 1 Introduction\n\nItems follow:\n• first item\n• second item"
    )


def test_ligatures_soft_hyphens_accents_and_spaces_are_normalised():
    assert clean_text(" The ﬁrst  ofﬁce in\u00a0the  cof\u00adfee shop ") == (
        "The first office in the coffee shop"
    )
    assert clean_text("Aviac¸a˜o, Ageˆncia") == "Aviação, Agência"
