"""Text files decoded block by block give the same text as decoding them whole."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localchat.errors import UnsupportedFileError
from localchat.ingest.loaders import textfile
from localchat.ingest.loaders.textfile import (
    LineNormaliser,
    decode_text,
    load_text,
    normalise_text_lines,
)

ALPHABET = st.sampled_from(list("ab é東\t \n\n\n\r\r\n\xa0\u3000"))


@pytest.fixture
def tiny_blocks(monkeypatch):
    """Blocks of a few bytes, so every boundary case (CRLF, multi-byte chars) is crossed."""
    monkeypatch.setattr(textfile, "_SNIFF_BYTES", 5)
    monkeypatch.setattr(textfile, "_BLOCK_BYTES", 3)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=ALPHABET, min_size=1, max_size=80).filter(str.strip))
def test_tiny_blocks_give_the_text_a_whole_decode_gives(tmp_path, tiny_blocks, text):
    whole = normalise_text_lines(text.replace("\r\n", "\n").replace("\r", "\n"))
    for encoding in ("utf-8", "utf-16", "utf-8-sig"):
        path = tmp_path / "notes.txt"
        path.write_bytes(text.encode(encoding))
        if not whole:
            continue
        assert load_text(path).pages[0].text == whole, encoding


@given(
    text=st.text(alphabet=ALPHABET, max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=6),
)
def test_normalising_in_pieces_equals_normalising_whole(text, cuts):
    text = text.replace("\r", "")  # the decoder has translated them by now
    lines = LineNormaliser()
    start = 0
    for cut in sorted(cuts):
        lines.feed(text[start:cut])
        start = max(start, cut)
    lines.feed(text[start:])
    assert lines.finish() == normalise_text_lines(text)


def test_blank_line_runs_across_pieces_collapse_to_one_blank_line():
    lines = LineNormaliser()
    for piece in ["\n\nfirst  \n", "\n", "\n\n", "  indented", " still\n\n", "\n"]:
        lines.feed(piece)
    assert lines.finish() == "first\n\n  indented still"


def test_a_bad_byte_after_a_valid_utf8_start_becomes_a_replacement_character(tmp_path, tiny_blocks):
    path = tmp_path / "mixed.txt"
    path.write_bytes("héllo wörld\n".encode() + b"caf\xe9\n")
    assert load_text(path).pages[0].text == "héllo wörld\ncaf\ufffd"


def test_a_bom_whose_encoding_breaks_later_is_refused(tmp_path, tiny_blocks):
    path = tmp_path / "lying.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"fine text\n" + b"\xff\xfe\xfd")
    with pytest.raises(UnsupportedFileError, match="utf-8-sig mark"):
        load_text(path)


def test_in_memory_decode_still_refuses_control_characters():
    with pytest.raises(UnsupportedFileError, match="control characters"):
        decode_text(b"\x01\x02\x03\x04 text", "blob.txt")
    assert decode_text(b"one\r\ntwo\rthree", "ok.txt") == "one\ntwo\nthree"
