"""The shared span → chunk builder and the embed-only-what-is-missing step (ingest, re-chunk)."""

from __future__ import annotations

import numpy as np

from localchat.embedding.embedder import HashEmbedder
from localchat.ingest.chunker import chunk_pages
from localchat.ingest.chunks import chunks_from_spans, content_hash, embed_missing
from localchat.ingest.loaders.document import Page
from tests.factories import new_chunk, new_document
from tests.localchat.retrieval.test_query_vectors import CountingEmbedder


def test_chunks_from_spans_keeps_offsets_sections_and_counts_tokens():
    text = "# Pumps\n\nThe Zephyr pump primes in ten seconds. " * 8
    pages = [Page(1, text), Page(2, "Second page about valves and seals.")]
    spans = chunk_pages(pages, 40, 8)
    embedder = HashEmbedder(dim=16)
    chunks = chunks_from_spans(spans, embedder.count_tokens)
    assert len(chunks) == len(spans) > 2
    for span, chunk in zip(spans, chunks, strict=True):
        assert (chunk.ordinal, chunk.page, chunk.text) == (span.ordinal, span.page, span.text)
        assert (chunk.char_start, chunk.char_end, chunk.section) == (
            span.char_start,
            span.char_end,
            span.section,
        )
        assert chunk.token_count == embedder.count_tokens(span.text)
        assert chunk.content_hash == content_hash(span.text)
    assert chunks[0].section == "Pumps"
    assert chunks[-1].page == 2


def test_content_hash_is_stable_and_tells_texts_apart():
    assert content_hash("alpha") == content_hash("alpha")
    assert content_hash("alpha") != content_hash("alpha ")
    assert len(content_hash("")) == 32


def test_embed_missing_reuses_stored_vectors_and_embeds_each_new_text_once(store):
    embedder = CountingEmbedder()
    stored = new_chunk("stored text")
    vector = np.arange(16, dtype=np.float32)
    store.write_document(
        new_document("/a.txt"),
        [stored],
        {stored.content_hash: vector},
        model=embedder.model_id,
        layout="1/0",
    )
    fresh = [new_chunk("fresh one", 0), new_chunk("fresh one", 1), new_chunk("other", 2)]
    vectors = embed_missing(store, embedder, [stored, *fresh])
    assert embedder.calls == [["fresh one", "other"]]  # the stored text is not embedded again
    assert vectors.keys() == {"h-stored text", "h-fresh one", "h-other"}
    np.testing.assert_array_equal(vectors["h-stored text"], vector)
    np.testing.assert_allclose(vectors["h-other"], embedder.embed(["other"])[0])


def test_embed_missing_embeds_nothing_when_every_text_is_known(store):
    embedder = CountingEmbedder()
    chunk = new_chunk("known")
    store.add_vectors({chunk.content_hash: np.ones(16, dtype=np.float32)}, embedder.model_id)
    assert embed_missing(store, embedder, [chunk]).keys() == {"h-known"}
    assert embedder.calls == []
    # Another model's vectors are not reused.
    other = HashEmbedder(dim=32)
    assert store.known_vectors(["h-known"], other.model_id) == {}


def test_add_vectors_keeps_a_text_s_first_vector_from_a_model(store):
    first, second = np.zeros(4, dtype=np.float32), np.ones(4, dtype=np.float32)
    store.add_vectors({"h": first}, "m")
    store.add_vectors({"h": second, "g": second}, "m")
    store.add_vectors({"h": second}, "other")
    known = store.known_vectors(["h", "g"], "m")
    np.testing.assert_array_equal(known["h"], first)
    np.testing.assert_array_equal(known["g"], second)
    np.testing.assert_array_equal(store.known_vectors(["h"], "other")["h"], second)
