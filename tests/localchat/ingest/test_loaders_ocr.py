"""Scanned PDFs (issue 14): a page that is only an image of text is OCRed, and its words are
found by `localchat search`; without the `ocr` extra the page says which extra to install.

The end-to-end test runs the real CLI: the parser worker process, the bundled MiniLM model
converted to GGUF, SQLite and the USearch index. It also ingests a DOCX and a PPTX, so the new
formats are checked through the same path, with slide numbers as the cited page.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from localchat.cli import main
from localchat.errors import EmptyDocumentError
from localchat.ingest.isolate import load_file_isolated
from localchat.ingest.loaders import load_file
from localchat.ingest.loaders import ocr as ocr_module
from localchat.modelfiles.convert import DEFAULT_DTYPE, convert_minilm
from localchat.modelfiles.locate import bundled_minilm_dir
from tests.localchat.ingest.loader_pdfs import statistics_rows, table_pdf, text_pdf
from tests.localchat.ingest.test_loaders_office import make_docx, make_pptx

SCANNED_LINES = ["The lighthouse keeper records", "barometric pressure hourly."]

needs_ocr = pytest.mark.skipif(
    not ocr_module.ocr_installed(), reason="the localchat[ocr] extra is not installed"
)


def scanned_pdf(path: Path, lines: list[str] = SCANNED_LINES) -> Path:
    """A PDF whose only page is a 200-dpi picture of printed text, as a scanner makes it."""
    picture = Image.new("RGB", (1240, 420), "white")
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=40)
    for index, line in enumerate(lines):
        draw.text((80, 80 + 70 * index), line, fill="black", font=font)
    picture.save(path, "PDF", resolution=200.0)
    return path


def test_the_scanned_pdf_has_no_text_layer(tmp_path):
    assert PdfReader(scanned_pdf(tmp_path / "scan.pdf")).pages[0].extract_text().strip() == ""


def test_without_the_extra_an_image_page_names_it(tmp_path, monkeypatch):
    monkeypatch.setattr("localchat.ingest.loaders.pdf.ocr_installed", lambda: False)
    words = text_pdf(tmp_path / "words.pdf", [["A page with a text layer."]])
    writer = PdfWriter(clone_from=str(words))
    writer.append(str(scanned_pdf(tmp_path / "scan.pdf")))
    with (tmp_path / "mixed.pdf").open("wb") as handle:
        writer.write(handle)
    document = load_file(tmp_path / "mixed.pdf")
    assert [page.text for page in document.pages] == ["A page with a text layer.", ""]
    assert document.warnings == [
        "page 2 is an image without a text layer: install the OCR extra "
        "(pip install 'localchat[ocr]') to read scanned pages"
    ]


@needs_ocr
def test_ocr_reads_the_scanned_page_in_the_parser_worker(tmp_path):
    document = load_file_isolated(scanned_pdf(tmp_path / "scan.pdf"))
    assert document.pages[0].text == "\n".join(SCANNED_LINES)
    assert document.warnings == ["page 1 was read by OCR; its text may have errors"]


@needs_ocr
def test_ocr_is_skipped_with_a_warning_where_usearch_is_loaded(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "usearch.compiled", sys.modules.get("usearch.compiled"))
    document = load_file(text_pdf(tmp_path / "words.pdf", [["Text."]]))  # no OCR needed: fine
    assert document.warnings == []
    with pytest.raises(EmptyDocumentError):
        load_file(scanned_pdf(tmp_path / "scan.pdf"))


def test_ocr_failures_lose_only_that_page(tmp_path, monkeypatch):
    def broken(self, page):
        raise ValueError("model file damaged")

    monkeypatch.setattr("localchat.ingest.loaders.pdf.ocr_installed", lambda: True)
    monkeypatch.setattr(ocr_module.RapidOcrReader, "__call__", broken)
    writer = PdfWriter(clone_from=str(text_pdf(tmp_path / "words.pdf", [["Text page."]])))
    writer.append(str(scanned_pdf(tmp_path / "scan.pdf")))
    with (tmp_path / "mixed.pdf").open("wb") as handle:
        writer.write(handle)
    document = load_file(tmp_path / "mixed.pdf")
    assert document.pages[0].text == "Text page."
    assert document.warnings == ["page 2: OCR failed (ValueError)"]


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    folder = bundled_minilm_dir()
    if folder is None:
        pytest.skip("bundled embedding model not installed")
    model = tmp_path_factory.mktemp("model") / f"all-MiniLM-L6-v2.{DEFAULT_DTYPE}.gguf"
    mp = pytest.MonkeyPatch()
    mp.setenv("LOCALCHAT_HOME", str(tmp_path_factory.mktemp("data")))
    mp.setenv("LOCALCHAT_MODELS_EMBEDDING_PATH", str(convert_minilm(folder, model)))
    mp.delenv("LOCALCHAT_CONFIG", raising=False)
    yield
    mp.undo()


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


@needs_ocr
def test_search_finds_scanned_words_and_office_slides(tmp_path, cli_env, capsys):
    library = tmp_path / "library"
    library.mkdir()
    scanned_pdf(library / "logbook-scan.pdf")
    make_docx(library / "plan.docx")
    make_pptx(library / "review.pptx")
    rows = statistics_rows(seed=11)
    table_pdf(library / "households.pdf", rows, grid=False)
    code, report = run_json(capsys, "ingest", str(library))
    assert code == 0 and report["added"] == 4, report
    code, result = run_json(capsys, "search", "barometric pressure lighthouse keeper")
    assert code == 0
    top = result["hits"][0]
    assert (top["filename"], top["page"]) == ("logbook-scan.pdf", 1)
    assert "barometric pressure hourly" in top["text"]
    code, result = run_json(capsys, "search", "new ferry line ship calls")
    top = result["hits"][0]
    assert (top["filename"], top["page"]) == ("review.pptx", 2)  # slide 2, with its notes
    code, result = run_json(capsys, "search", "dredging cost quarter budget")
    assert result["hits"][0]["filename"] == "plan.docx"
    assert "| Dredging | Q2 | 48000 |" in result["hits"][0]["text"]
    # One row's cell of a dense table PDF: the row comes back whole, its cells apart.
    region, cell = rows[9][0], rows[9][6]
    code, result = run_json(capsys, "search", f"{region} {rows[0][6]} {cell}")
    top = result["hits"][0]
    assert top["filename"] == "households.pdf"
    assert "| " + " | ".join(rows[9]) + " |" in top["text"].split("\n")
