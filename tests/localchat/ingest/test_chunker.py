"""Chunker invariants (hypothesis) and examples on real documents."""

from __future__ import annotations

import itertools
import math
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localchat.errors import InvalidRequestError
from localchat.ingest.chunker import ChunkSpan, chunk_pages, document_text, split_text
from localchat.ingest.loaders import Page
from tests.localchat.ingest.corpus import load_corpus

# Letters, several kinds of whitespace (incl. no-break and ideographic spaces), sentence marks.
ALPHABET = "abcdeXYZ0 ,;.!?\"')\n\n\t\r\xa0\u3000。-#`"
texts = st.text(alphabet=ALPHABET, max_size=600)


@st.composite
def sizes(draw: st.DrawFn) -> tuple[int, int]:
    chunk_size = draw(st.integers(min_value=1, max_value=120))
    chunk_overlap = draw(st.integers(min_value=0, max_value=chunk_size - 1))
    return chunk_size, chunk_overlap


def first_non_space(text: str, position: int) -> int:
    while text[position].isspace():
        position += 1
    return position


def expected_next_start(text: str, a: tuple[int, int], chunk_size: int, overlap: int) -> int:
    """The overlap rule of the chunker docstring, by brute force."""
    following = first_non_space(text, a[1])
    if overlap == 0:
        return following
    lowest = max(a[1] - overlap, a[0] + 1)
    latest = a[1] - math.ceil(overlap / 2)
    word_starts = [
        i for i in range(lowest, latest + 1) if not text[i].isspace() and text[i - 1].isspace()
    ]
    start = word_starts[0] if word_starts else first_non_space(text, lowest)
    return following if following >= start + chunk_size else start


@settings(max_examples=400, deadline=None)
@given(text=texts, size=sizes())
def test_spans_are_bounded_trimmed_ordered_and_cover_the_text(text, size):
    chunk_size, chunk_overlap = size
    spans = split_text(text, chunk_size, chunk_overlap)
    covered = bytearray(len(text))
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        assert end - start <= chunk_size
        assert not text[start].isspace() and not text[end - 1].isspace()
        covered[start:end] = b"\x01" * (end - start)
    for previous, current in itertools.pairwise(spans):
        assert previous[0] < current[0] and previous[1] < current[1]
    assert all(covered[i] or char.isspace() for i, char in enumerate(text))
    assert (spans == []) == (text.strip() == "")


@settings(max_examples=400, deadline=None)
@given(text=texts, size=sizes())
def test_consecutive_spans_follow_the_overlap_rule(text, size):
    chunk_size, chunk_overlap = size
    spans = split_text(text, chunk_size, chunk_overlap)
    for a, b in itertools.pairwise(spans):
        assert b[0] == expected_next_start(text, a, chunk_size, chunk_overlap)
        overlap = a[1] - b[0]
        assert overlap <= chunk_overlap
        if b[0] < a[1]:
            assert overlap >= 1


def is_paragraph_break(text: str, position: int) -> bool:
    """A span may end here on a blank line: non-space before, then space with two newlines."""
    if position == 0 or text[position - 1].isspace():
        return False
    newlines = 0
    for char in text[position:]:
        if not char.isspace() or newlines == 2:
            break
        newlines += char == "\n"
    return newlines == 2


def is_heading_line(text: str, line_start: int) -> bool:
    at_line_start = line_start == 0 or text[line_start - 1] == "\n"
    return at_line_start and re.match(r"#{1,6}[ \t]+[^\s]", text[line_start:]) is not None


def breaks_before_headings(text: str, window: range) -> list[int]:
    return [
        i
        for i in window
        if is_paragraph_break(text, i)
        and is_heading_line(text, i + len(text[i:]) - len(text[i:].lstrip()))
    ]


def breaks_after_text(text: str, window: range) -> list[int]:
    return [
        i
        for i in window
        if is_paragraph_break(text, i) and not is_heading_line(text, text.rfind("\n", 0, i) + 1)
    ]


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="ab #\n\n\n\t.", max_size=400), size=sizes())
def test_blank_lines_win_and_keep_headings_with_their_text(text, size):
    chunk_size, chunk_overlap = size
    spans = split_text(text, chunk_size, chunk_overlap)
    for start, end in spans[:-1]:
        min_end = start + max(chunk_size // 2, chunk_overlap + 1)
        window = range(min_end, min(start + chunk_size, len(text)) + 1)
        before_headings = breaks_before_headings(text, window)
        after_text = breaks_after_text(text, window)
        if before_headings:
            assert end == before_headings[-1]
        elif after_text:
            assert end == after_text[-1]


@settings(max_examples=200, deadline=None)
@given(
    page_texts=st.lists(texts, min_size=1, max_size=4),
    size=sizes(),
)
def test_chunks_map_back_exactly_and_never_span_pages(page_texts, size):
    chunk_size, chunk_overlap = size
    pages = [Page(number=i + 1, text=t) for i, t in enumerate(page_texts)]
    full = document_text(pages)
    chunks = chunk_pages(pages, chunk_size, chunk_overlap)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    page_starts = {}
    offset = 0
    for page in pages:
        page_starts[page.number] = offset
        offset += len(page.text) + 2
    for chunk in chunks:
        assert full[chunk.char_start : chunk.char_end] == chunk.text
        page_start = page_starts[chunk.page]
        assert page_start <= chunk.char_start
        assert chunk.char_end <= page_start + len(pages[chunk.page - 1].text)
        assert chunk.text.strip() == chunk.text != ""
    assert [c.page for c in chunks] == sorted(c.page for c in chunks)
    expected = sum(len(split_text(p.text, chunk_size, chunk_overlap)) for p in pages)
    assert len(chunks) == expected


def test_prefers_paragraph_then_sentence_then_word_boundaries():
    text = "First para has words. " * 3 + "\n\n" + "Second one. More words here and here."
    spans = split_text(text, 80, 0)
    assert text[spans[0][0] : spans[0][1]].endswith("has words.")
    assert text[spans[0][1] :].lstrip(" ").startswith("\n\nSecond")
    sentences = "Alpha beta gamma. Delta epsilon zeta eta. Theta iota kappa lambda mu."
    first = split_text(sentences, 45, 0)[0]
    assert sentences[first[0] : first[1]] == "Alpha beta gamma. Delta epsilon zeta eta."
    words = "alpha beta gamma delta epsilon zeta"
    assert words[: split_text(words, 20, 0)[0][1]] == "alpha beta gamma"


def test_hard_cut_only_without_whitespace():
    spans = split_text("x" * 25, 10, 3)
    assert spans[0] == (0, 10)
    assert all(end - start <= 10 for start, end in spans)
    assert spans[-1][1] == 25


def test_overlap_starts_on_a_word():
    text = " ".join(f"word{i:03d}" for i in range(200))
    spans = split_text(text, 100, 30)
    for a, b in itertools.pairwise(spans):
        assert text[b[0] - 1] == " "
        assert 15 <= a[1] - b[0] <= 30


def test_section_is_the_nearest_heading_outside_code():
    pages = [
        Page(
            1,
            "# Guide\n\nIntro text.\n\n## Install {x}\n\nRun it.\n\n```sh\n# no heading\n```"
            "\n\nAfter the code.",
        ),
        Page(2, "More text on page two.\n\n### C# ###\n\nLast words."),
    ]
    chunks = chunk_pages(pages, 24, 0)

    def chunk_with(words: str) -> ChunkSpan:
        (chunk,) = [c for c in chunks if words in c.text]
        return chunk

    def section_of(words: str) -> str:
        return chunk_with(words).section

    assert section_of("Intro text.") == "Guide"
    assert section_of("Run it.") == "Install {x}"
    assert chunk_with("## Install {x}").text == "## Install {x}\n\nRun it."  # kept together
    assert section_of("# no heading") == "Install {x}"
    assert section_of("After the code.") == "Install {x}"
    assert section_of("page two.") == "Install {x}"  # sections carry across pages
    assert section_of("Last words.") == "C#"


@pytest.mark.parametrize(("chunk_size", "chunk_overlap"), [(0, 0), (10, 10), (10, -1)])
def test_rejects_impossible_sizes(chunk_size, chunk_overlap):
    with pytest.raises(InvalidRequestError):
        split_text("some text", chunk_size, chunk_overlap)


def test_real_markdown_chunks_carry_sections():
    document = load_corpus("go-faq.md")
    chunks = chunk_pages(document.pages, 1024, 200)
    assert len(chunks) > 50
    assert all(len(c.text) <= 1024 for c in chunks)
    sections = {c.section for c in chunks}
    assert "What is the purpose of the project?" in sections
    assert "" not in sections  # the FAQ starts with a heading once front matter is gone


def test_real_pdf_chunks_keep_page_numbers():
    document = load_corpus("go-gofrontend-gcc-summit-2010.pdf")
    chunks = chunk_pages(document.pages, 512, 100)
    assert {c.page for c in chunks} == {p.number for p in document.pages if p.text.strip()}
    full = document_text(document.pages)
    assert all(full[c.char_start : c.char_end] == c.text for c in chunks)


def test_five_megabytes_chunk_in_well_under_a_second():
    paragraph = (
        "Go is expressive, concise, clean, and efficient. Its concurrency mechanisms make it "
        "easy to write programs that get the most out of multicore machines.\n"
    ) * 4
    text = (paragraph + "\n") * (5_000_000 // (len(paragraph) + 1))
    started = time.process_time()  # CPU time: other jobs on a busy CI machine don't count
    spans = split_text(text, 1024, 200)
    elapsed = time.process_time() - started
    assert len(spans) > 5_000_000 // 1024
    assert elapsed < 1.0, f"chunking 5 MB took {elapsed:.2f} s"
