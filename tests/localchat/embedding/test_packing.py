"""Packing token sequences into decode batches."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localchat.embedding.packing import pack_batches


@given(
    st.lists(st.integers(min_value=1, max_value=300), max_size=200),
    st.integers(min_value=1, max_value=2048),
    st.integers(min_value=1, max_value=64),
)
def test_every_index_once_and_caps_kept(lengths, max_tokens, max_seqs) -> None:
    batches = pack_batches(lengths, max_tokens, max_seqs)
    flat = [index for batch in batches for index in batch]
    assert sorted(flat) == list(range(len(lengths)))
    for batch in batches:
        assert 1 <= len(batch) <= max_seqs
        if len(batch) > 1:  # only a lone oversize sequence may pass the token cap
            assert sum(lengths[index] for index in batch) <= max_tokens


def test_fills_batches_longest_first_then_shortest() -> None:
    lengths = [200, 30, 250, 60, 10]
    assert pack_batches(lengths, 256, 8) == [[2], [0, 4, 1], [3]]


def test_rejects_bad_caps() -> None:
    with pytest.raises(ValueError):
        pack_batches([1], 0, 1)
