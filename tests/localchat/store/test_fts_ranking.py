"""Store.fts ranks inside FTS5 and keeps only the serving layout; FTS5's varint records decode."""

from __future__ import annotations

import numpy as np
import pytest

from localchat.store.queries import _averages, _varints
from localchat.store.records import NewChunk, NewDocument
from tests.factories import new_chunk, new_document


def _doc(number: int) -> NewDocument:
    return new_document(f"/d/{number}", filename=f"{number}.txt", sha256=f"s{number}")


def _chunk(ordinal: int, text: str, tag: str) -> NewChunk:
    return new_chunk(text, ordinal, content_hash=f"{tag}-{ordinal}-{text}")


def test_other_layout_rows_never_surface_even_when_they_rank_first(store):
    written = store.write_document(
        _doc(1),
        [_chunk(i, "ocean " * (i + 1), "old") for i in range(3)],
        {},
        model="m",
        layout="1024/200",
    )
    # A re-chunk in progress: the new layout's rows match better (more "ocean").
    store.add_layout_chunks(
        written.document_id,
        [_chunk(i, "ocean " * 50, "new") for i in range(6)],
        {},
        model="m",
        layout="512/100",
    )
    hits = store.fts('"ocean"', 2)
    assert len(hits) == 2
    assert {c for c, _ in hits} <= set(written.added_chunk_ids)
    assert hits[0][1] >= hits[1][1]


def test_varints_decode_sqlite_encoding():
    assert _varints(bytes([0x05])) == [5]
    assert _varints(bytes([0x81, 0x00])) == [128]
    assert _varints(bytes([0x81, 0x80, 0x00, 0x07])) == [16384, 7]
    assert _averages(b"") == (0, 0.0)


def test_averages_record_matches_the_index(store):
    texts = ["one two three", "four five", "six"]
    store.write_document(
        _doc(1), [_chunk(i, t, "x") for i, t in enumerate(texts)], {}, model="m", layout="l"
    )
    block = store.read("SELECT block FROM chunks_fts_data WHERE id = 1")[0][0]
    rows, mean = _averages(block)
    assert rows == 3
    assert mean == pytest.approx(np.mean([len(t.split()) for t in texts]))
