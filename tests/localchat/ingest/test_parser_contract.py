"""The DocumentParser contract, run against both implementations: the in-process parser and
the worker-process pool. Same documents, same error classes, either way."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from localchat.errors import (
    CorruptFileError,
    EmptyDocumentError,
    IngestError,
    UnsupportedFileError,
)
from localchat.ingest.isolate import DocumentParser, InProcessParser, ParserPool
from localchat.ingest.loaders import LoadedDocument
from tests.localchat.ingest.corpus import corpus_file, load_corpus

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX pipes")

REAL_FILES = ["go-gofrontend-gcc-summit-2010.pdf", "go-effective_go.html", "fastchat-openai_api.md"]


@pytest.fixture(scope="module", params=["in-process", "pool"])
def parser(request) -> Iterator[DocumentParser]:
    made: DocumentParser = (
        InProcessParser() if request.param == "in-process" else ParserPool(timeout_s=60)
    )
    yield made
    made.close()


@pytest.mark.parametrize("name", REAL_FILES)
def test_a_real_file_parses_to_the_loaders_document(parser, name):
    document = parser.load(corpus_file(name))
    assert isinstance(document, LoadedDocument)
    assert document == load_corpus(name)
    assert document.title and document.pages
    assert sum(len(page.text) for page in document.pages) > 1000


def test_a_plain_text_file(parser, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Prime the pump.\n\nThen open the valve.\n", encoding="utf-8")
    document = parser.load(path)
    assert "Prime the pump." in document.pages[0].text and document.media_type == "text/plain"


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("photo.jpeg", b"\xff\xd8", UnsupportedFileError),
        ("empty.txt", b"", EmptyDocumentError),
        ("fake.pdf", b"not a pdf at all", CorruptFileError),
    ],
)
def test_bad_files_raise_the_same_error_class(parser, tmp_path, name, content, error):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        parser.load(path)
    assert name in caught.value.message and caught.value.hint


def test_a_missing_file_is_an_ingest_error_with_a_hint(parser, tmp_path):
    with pytest.raises(IngestError) as caught:
        parser.load(tmp_path / "gone.md")
    assert "gone.md" in caught.value.message and caught.value.hint


def test_the_parser_keeps_working_after_an_error(parser, tmp_path):
    (tmp_path / "fake.pdf").write_bytes(b"%PDF-broken")
    with pytest.raises(CorruptFileError):
        parser.load(tmp_path / "fake.pdf")
    assert parser.load(corpus_file("fastchat-openai_api.md")).pages


def test_closing_twice_is_harmless(tmp_path: Path):
    for made in (InProcessParser(), ParserPool()):
        made.close()
        made.close()
