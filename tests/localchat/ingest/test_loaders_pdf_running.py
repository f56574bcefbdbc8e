"""PDF running headers/footers (issue 13 item 3) and titles (item 8a), on generated PDFs."""

from __future__ import annotations

from localchat.ingest.loaders import load_file
from localchat.ingest.loaders.pdflayout import Line
from localchat.ingest.loaders.pdfrunning import without_running_lines
from tests.localchat.ingest.loader_pdfs import footer_pdf, text_pdf

INVOICES = [
    ["Invoice 1001", "Customer: Harbour Cafe", "Amount due: 250 EUR"],
    ["Invoice 1002", "Customer: Nordic Books", "Amount due: 975 EUR"],
    ["Invoice 1003", "Customer: Blue Lamp Ltd", "Amount due: 40 EUR"],
]


def test_invoice_lines_survive_and_only_page_numbers_go(tmp_path):
    footer = "Page {page} of {pages}"
    path = footer_pdf(tmp_path / "invoices.pdf", INVOICES, "ACME Supplies", footer)
    document = load_file(path)
    texts = [page.text for page in document.pages]
    for text, invoice in zip(texts, INVOICES, strict=True):
        for line in invoice:
            assert line in text
    assert not any("Page " in text for text in texts)
    # Identical on every page: boilerplate, but its first copy stays searchable.
    assert ["ACME Supplies" in text for text in texts] == [True, False, False]
    assert document.warnings == [
        "dropped a running header/footer on 2 pages: 'ACME Supplies'",
        "dropped a running header/footer on 3 pages: 'Page 1 of 3'",
    ]


def test_short_text_pages_with_numbers_are_not_an_empty_document(tmp_path):
    pages = [
        ["Room 12 seats 40 people.", "Lunch at 13:00.", "Bring 2 pens."],
        ["Room 14 seats 25 people.", "Lunch at 12:30.", "Bring 1 laptop."],
        ["Room 3 seats 120 people.", "Lunch at 12:45.", "Bring 5 copies."],
    ]
    document = load_file(text_pdf(tmp_path / "agenda.pdf", pages))
    for page, lines in zip(document.pages, pages, strict=True):
        assert page.text.split("\n") == lines or all(line in page.text for line in lines)
    assert document.warnings == []


def test_pages_of_nothing_but_page_numbers_keep_their_text(tmp_path):
    document = load_file(text_pdf(tmp_path / "numbers.pdf", [[f"- {n} -"] for n in (1, 2, 3)]))
    assert [page.text for page in document.pages] == ["- 1 -", "- 2 -", "- 3 -"]


def test_printed_page_numbers_with_an_offset_need_a_real_running_title(tmp_path):
    title = "Annual Review of Harbour Studies, Volume 12"
    bodies = [[f"Body text about {tide} tides."] for tide in ("neap", "spring", "king", "low")]
    journal = footer_pdf(tmp_path / "journal.pdf", bodies, "Harbour", "{page} " + title, offset=400)
    texts = [page.text for page in load_file(journal).pages]
    assert not any(title in text for text in texts)
    assert all(body[0] in text for body, text in zip(bodies, texts, strict=True))
    # Consecutive numbers beside one word are IDs, not page numbers, even on every page.
    tickets = footer_pdf(tmp_path / "tickets.pdf", bodies, "Tickets", "Ticket {page}", offset=40)
    texts = [page.text for page in load_file(tickets).pages]
    assert [f"Ticket {n + 40}" in text for n, text in enumerate(texts, 1)] == [True] * 4


def test_a_line_must_be_on_most_pages_to_be_running():
    def page(*texts: str) -> list[Line]:
        return [Line(text=text, placed=True) for text in texts]

    pages = [page("Draft", "a"), page("Draft", "b"), page("c"), page("d"), page("e"), page("f")]
    assert without_running_lines(pages) == (pages, [])


def test_title_comes_from_metadata_or_the_first_page_never_a_later_heading(tmp_path):
    body = ["Plain opening paragraph without any heading at all."]
    later = [("Background", 20.0), "Text of the second page."]
    untitled = load_file(text_pdf(tmp_path / "report-2026.pdf", [body, later]))
    assert "# Background" in untitled.pages[1].text  # the heading is seen, but not the title
    assert untitled.title == "report-2026"
    headed = text_pdf(tmp_path / "h.pdf", [[("Harbour Survey", 20.0), *body], later])
    assert load_file(headed).title == "Harbour Survey"
    titled = text_pdf(tmp_path / "t.pdf", [body, later], title="Survey of the Harbour 2026")
    assert load_file(titled).title == "Survey of the Harbour 2026"
