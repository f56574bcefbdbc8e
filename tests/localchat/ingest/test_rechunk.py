"""Re-chunking from stored chunks: exact text back, old layout serves until the swap."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localchat.embedding.embedder import HashEmbedder
from localchat.ingest.chunker import chunk_pages, document_text
from localchat.ingest.loaders.document import Page
from localchat.ingest.rechunk import pages_from_chunks, rechunk_document
from localchat.resources import Resources
from localchat.store.records import ChunkRecord, layout_id

words = st.text(alphabet="abcdefgh .\n", min_size=0, max_size=400)


def records(pages: list[Page], size: int, overlap: int) -> list[ChunkRecord]:
    return [
        ChunkRecord(
            id=n,
            document_id=1,
            ordinal=s.ordinal,
            text=s.text,
            page=s.page,
            char_start=s.char_start,
            char_end=s.char_end,
            token_count=0,
            section=s.section,
            content_hash="",
            filename="f",
            path="p",
        )
        for n, s in enumerate(chunk_pages(pages, size, overlap))
    ]


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(words, min_size=1, max_size=4),
    size=st.integers(20, 120),
    overlap_part=st.floats(0.1, 0.5),
)
def test_rebuilt_pages_put_every_chunk_back_at_its_offsets(texts, size, overlap_part):
    pages = [Page(n, text) for n, text in enumerate(texts, start=1)]
    overlap = int(size * overlap_part)
    chunks = records(pages, size, overlap)
    rebuilt = pages_from_chunks(chunks)
    full = document_text(rebuilt)
    for chunk in chunks:
        assert full[chunk.char_start : chunk.char_end] == chunk.text
    # Re-chunking the rebuilt text with the same sizes gives back the same chunks.
    again = chunk_pages(rebuilt, size, overlap)
    assert [(c.text, c.page, c.char_start) for c in again] == [
        (c.text, c.page, c.char_start) for c in chunks
    ]


@pytest.fixture
def runtime(settings, tmp_path):
    runtime = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(3):
        body = "\n\n".join(
            f"Paragraph {p} of file {n} on torque and safety wire." for p in range(60)
        )
        (folder / f"f{n}.md").write_text(f"# File {n}\n\n{body}\n")
    assert runtime.library.ingest([folder]).failed == 0
    yield runtime
    runtime.close()


def test_old_chunks_serve_until_the_swap(runtime):
    params = runtime.params("accurate")
    layout = layout_id(params.chunk_size, params.chunk_overlap)
    served_before = {h.chunk_id for h in runtime.search("torque safety wire").hits}
    doc = runtime.store.list_documents()[0]
    added, _ = rechunk_document(runtime.library, doc.id, params, layout)
    assert added > 0
    served_mid = {h.chunk_id for h in runtime.search("torque safety wire").hits}
    assert served_mid == served_before, "the new layout must not serve before the swap"
    report = runtime.library.rechunk(params)
    assert report.swapped and report.removed_chunks > 0 and not report.errors
    served_after = runtime.search("torque safety wire").hits
    assert served_after and not ({h.chunk_id for h in served_after} & served_before)
    assert {d.layout for d in runtime.store.list_documents()} == {layout}
    count, _ = runtime.store.key_stats(runtime.embedder.model_id)
    assert len(runtime.index) == count == runtime.store.counts()[1]


def test_a_cancelled_rechunk_keeps_the_old_layout(runtime):
    import threading

    cancel = threading.Event()
    cancel.set()
    report = runtime.library.rechunk(runtime.params("fast"), cancel=cancel)
    assert report.cancelled and not report.swapped
    assert {d.layout for d in runtime.store.list_documents()} == {"1024/200"}
