"""Loader dispatch, plain text (encodings, binary refusal), Markdown and HTML."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from localchat.errors import EmptyDocumentError, IngestError, UnsupportedFileError
from localchat.ingest.loaders import SUPPORTED_SUFFIXES, load_file, media_type_for
from tests.localchat.ingest.corpus import load_corpus

CAFE = "Café crème, naïve façade — 東京\nsecond line\n"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


# -- dispatch ---------------------------------------------------------------------------------


def test_supported_suffixes_cover_the_documented_formats():
    expected = {".pdf", ".md", ".markdown", ".txt", ".text", ".rst", ".html", ".htm"}
    assert expected <= SUPPORTED_SUFFIXES
    assert media_type_for(Path("A.PDF")) == "application/pdf"
    assert media_type_for(Path("notes.markdown")) == "text/markdown"


def test_unknown_suffix_names_the_supported_ones(tmp_path):
    path = write(tmp_path, "photo.jpeg", b"\xff\xd8\xff")
    with pytest.raises(UnsupportedFileError) as caught:
        load_file(path)
    assert "'.jpeg'" in caught.value.message
    assert ".pdf" in caught.value.hint and ".md" in caught.value.hint
    assert caught.value.status == 400


def test_missing_file_and_folder_are_ingest_errors(tmp_path):
    with pytest.raises(IngestError, match="does not exist"):
        load_file(tmp_path / "absent.txt")
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(IngestError, match="is a folder"):
        load_file(tmp_path / "folder.txt")


# -- plain text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        CAFE.encode("utf-8"),
        codecs.BOM_UTF8 + CAFE.encode("utf-8"),
        CAFE.encode("utf-16"),  # with BOM
        CAFE.encode("utf-16-le"),  # without BOM: charset detection
        CAFE.encode("utf-32"),
        CAFE.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le-no-bom", "utf32", "crlf"],
)
def test_text_encodings_are_detected(tmp_path, data):
    document = load_file(write(tmp_path, "notes.txt", data))
    assert document.pages[0].text == CAFE.rstrip("\n")
    assert document.title == "notes"
    assert document.media_type == "text/plain"
    assert [page.number for page in document.pages] == [1]


def test_legacy_single_byte_encoding_is_decoded(tmp_path):
    text = "Le café était très agréable, même en été. " * 20
    document = load_file(write(tmp_path, "old.txt", text.encode("cp1252")))
    assert "café était très agréable" in document.pages[0].text


def test_binary_file_is_refused(tmp_path):
    data = bytes(range(256)) * 64
    with pytest.raises(UnsupportedFileError, match="looks binary"):
        load_file(write(tmp_path, "blob.txt", data))


def test_text_with_many_control_characters_is_refused(tmp_path):
    data = ("abc\x01\x02\x03def\x04" * 100).encode()
    with pytest.raises(UnsupportedFileError, match="looks binary"):
        load_file(write(tmp_path, "weird.log", data))


def test_empty_and_blank_files_are_empty_documents(tmp_path):
    with pytest.raises(EmptyDocumentError, match="0 bytes"):
        load_file(write(tmp_path, "empty.txt", b""))
    with pytest.raises(EmptyDocumentError):
        load_file(write(tmp_path, "blank.txt", b"  \n\n\t \n"))


def test_text_keeps_indentation_and_collapses_blank_runs(tmp_path):
    document = load_file(write(tmp_path, "code.txt", "a\n\n\n\n    indented   \nb\n"))
    assert document.pages[0].text == "a\n\n    indented\nb"


def test_other_text_formats_report_their_media_type(tmp_path):
    document = load_file(write(tmp_path, "table.csv", "name,value\nalpha,1\n"))
    assert document.media_type == "text/csv"
    # CSV is a sheet since issue 14: rows keep their header (tests/…/test_loaders_office.py).
    assert document.pages[0].text == "## table\n\nname: alpha | value: 1"
    document = load_file(write(tmp_path, "notes.rst", "Title\n=====\n\nText.\n"))
    assert document.media_type == "text/x-rst"
    assert document.pages[0].text == "Title\n=====\n\nText."


# -- Markdown ---------------------------------------------------------------------------------


def test_markdown_front_matter_anchors_and_code(tmp_path):
    source = (
        "---\ntitle: 'Guide: Setup'\ntags: [a]\n---\n\n"
        "Intro <!-- hidden\ncomment -->text.\n\n"
        "## Install {#install}\n\n"
        "```sh\n# not a heading {#keep}\nmake   install\n```\n\n"
        'Usage\n-----\n\nRun it. <a name="x"></a>\n'
    )
    document = load_file(write(tmp_path, "guide.md", source))
    text = document.pages[0].text
    assert document.title == "Guide: Setup"
    assert document.media_type == "text/markdown"
    assert "title:" not in text and "tags" not in text
    assert "hidden" not in text and "Intro text." in text
    assert "## Install\n" in text and "{#install}" not in text
    assert "```sh\n# not a heading {#keep}\nmake   install\n```" in text
    assert "## Usage" in text and "-----" not in text
    assert "<a name" not in text


def test_markdown_toml_front_matter_and_heading_title(tmp_path):
    toml = load_file(write(tmp_path, "a.md", '+++\ntitle = "From TOML"\n+++\nBody\n'))
    assert toml.title == "From TOML" and toml.pages[0].text == "Body"
    heading = load_file(write(tmp_path, "b.md", "Some text\n\n# Real Title #\n\nMore\n"))
    assert heading.title == "Real Title"
    assert "# Real Title\n" in heading.pages[0].text
    stem = load_file(write(tmp_path, "plain-notes.md", "just words\n"))
    assert stem.title == "plain-notes"


def test_markdown_character_references_decode_outside_code(tmp_path):
    source = (
        "## Q &amp; A\n\n"
        "Bootstrapping&mdash;you'd need a compiler &#8217;x&#x2019; and &lt;b&gt;.\n"
        "Code `a &lt; b` stays, so do &unknownname; and a && b.\n\n"
        '```go\nx := "&mdash;"\n```\n'
    )
    text = load_file(write(tmp_path, "faq.md", source)).pages[0].text
    assert "## Q & A\n" in text
    assert "Bootstrapping\u2014you'd need a compiler \u2019x\u2019 and <b>." in text
    assert "Code `a &lt; b` stays, so do &unknownname; and a && b." in text
    assert 'x := "&mdash;"' in text  # fenced code is verbatim


def test_markdown_with_only_front_matter_is_empty(tmp_path):
    with pytest.raises(EmptyDocumentError):
        load_file(write(tmp_path, "meta.md", "---\ntitle: x\n---\n\n"))


def test_go_faq_front_matter_and_anchors():
    document = load_corpus("go-faq.md")
    text = document.pages[0].text
    assert document.title == "Frequently Asked Questions (FAQ)"
    assert text.startswith("## Origins\n\n### What is the purpose of the project?\n")
    assert "{#" not in text
    assert "sidebar:" not in text


def test_fastchat_code_blocks_survive():
    document = load_corpus("fastchat-openai_api.md")
    text = document.pages[0].text
    assert document.title == "OpenAI-Compatible RESTful APIs"
    assert "```bash\npython3 -m fastchat.serve.controller\n```" in text


# -- HTML -------------------------------------------------------------------------------------


def test_html_structure_becomes_markdown_like_text(tmp_path):
    source = """<!doctype html><html><head><title> The  Title </title>
    <style>p { color: red }</style><script>alert("x")</script></head><body>
    <header>Site banner</header><nav><a href="/">Home</a></nav>
    <h1>Main   heading</h1>
    <p>First
       paragraph with <b>bold</b> and &amp; entities.</p>
    <p>Line one<br>Line two</p>
    <ul><li>alpha</li><li><p>beta</p></li></ul>
    <pre>def f():
        return   1</pre>
    <div hidden>secret</div><form><input value="x">Search</form>
    <table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>
    <noscript>enable js</noscript><footer>Copyright</footer>
    </body></html>"""
    document = load_file(write(tmp_path, "page.html", source))
    assert document.title == "The Title"
    assert document.media_type == "text/html"
    assert document.pages[0].text == (
        "# Main heading\n\n"
        "First paragraph with bold and & entities.\n\n"
        "Line one\nLine two\n\n"
        "- alpha\n- beta\n\n"
        "```\ndef f():\n        return   1\n```\n\n"
        "k | v\na | 1"
    )


def test_effective_go_drops_its_json_front_matter():
    document = load_corpus("go-effective_go.html")
    text = document.pages[0].text
    assert document.title == "Effective Go"
    assert '"Template"' not in text and "Breadcrumb" not in text
    assert text.startswith("Note: This document was written for Go's release in 2009")
    assert "\n## Introduction\n" in text and "\n### Examples\n" in text
    assert "```\ntype T struct {\n    name string // name of the object\n" in text
    assert "x<<8 + y<<16" in text  # entities decoded inside <pre>


def test_html_without_text_is_empty(tmp_path):
    with pytest.raises(EmptyDocumentError):
        load_file(write(tmp_path, "blank.htm", "<html><body><script>x()</script></body></html>"))
