"""Saved web pages (issue 13 item 8): site chrome dropped, titles and sections right."""

from __future__ import annotations

from pathlib import Path

from localchat.ingest.chunker import chunk_pages
from localchat.ingest.loaders import Page, load_file

DATA = Path(__file__).parent / "data"
WIKIPEDIA = DATA / "wikipedia-tide-pool.html"
CHROME = [
    "Jump to content",
    "Main menu",
    "Search Wikipedia",
    "Create account",
    "(Top)",
    "24 languages",
    "View history",
    "From Wikipedia, the free encyclopedia",
    "Rocky pool on a seashore",  # the hidden short description
    "[edit]",
    "[1]",
    "Coastal geography",  # the navbox and the category list
    "Retrieved from",
    "Categories",
    "Hidden categories",
    "This page was last edited",
    "Privacy policy",
    "Toggle limited content width",
]


def test_saved_wikipedia_page_keeps_the_article_and_drops_the_chrome():
    document = load_file(WIKIPEDIA)
    text = document.pages[0].text
    for chrome in CHROME:
        assert chrome not in text, chrome
    assert text.startswith("# Tide pool\n\nA tide pool or rock pool is a shallow pool")
    assert "\n\n## Formation\n\nPools form where the bedrock is uneven" in text
    assert text.endswith("## See also\n\n- Intertidal zone\n- Rocky shore")
    assert document.title == "Tide pool"  # not "Tide pool - Wikipedia"


def test_first_chunks_of_the_article_carry_its_first_heading():
    chunks = chunk_pages(load_file(WIKIPEDIA).pages, 300, 50)
    sections = [chunk.section for chunk in chunks]
    assert sections[0] == "Tide pool"
    assert sections == sorted(sections, key=["Tide pool", "Formation", "Life in tide pools"].index)
    assert "Formation" in sections and "Life in tide pools" in sections


def test_text_before_the_first_heading_has_no_section():
    lead = "A lead paragraph that comes before any heading at all. " * 8
    tail = "Related articles about shores and tides follow here. " * 4
    pages = [Page(1, f"{lead.strip()}\n\n## Formation\n\nBody.\n\n## See also\n\n{tail}")]
    chunks = chunk_pages(pages, 200, 40)
    assert chunks[0].section == ""  # it used to get the last heading, "See also"
    assert chunks[-1].section == "See also"


def test_article_header_and_footer_stay_but_page_banners_go(tmp_path):
    path = tmp_path / "post.html"
    path.write_text(
        "<html><head><title>Harbour notes | My Blog</title></head><body>"
        "<header><a href='/'>My Blog home</a></header>"
        "<article><header><h1>Harbour notes</h1></header><p>The harbour wall was rebuilt.</p>"
        "<footer>Written by Ana in May.</footer></article>"
        "<div role='contentinfo'>© My Blog</div><footer>Site footer</footer></body></html>"
    )
    document = load_file(path)
    assert document.pages[0].text == (
        "# Harbour notes\n\nThe harbour wall was rebuilt.\n\nWritten by Ana in May."
    )
    assert document.title == "Harbour notes"
