"""Document frequencies behind BM25 planning follow corpus changes, and a word counted absent
is recounted as soon as a document brings it."""

from __future__ import annotations

from localchat.retrieval.bm25 import Bm25, Bm25Memo
from localchat.store.records import NewChunk, NewDocument
from tests.factories import new_chunk, new_document


def _doc(number: int) -> NewDocument:
    return new_document(f"/d/{number}", filename=f"{number}.txt", sha256=f"s{number}")


def _chunk(ordinal: int, text: str, tag: str) -> NewChunk:
    return new_chunk(text, ordinal, content_hash=f"{tag}-{ordinal}-{text}")


def test_doc_freq_follows_the_corpus(store, monkeypatch):
    monkeypatch.setattr(Bm25Memo, "MAX_AGE_S", 0.0)
    plan = Bm25(store)
    store.write_document(_doc(1), [_chunk(0, "zebra lion", "a")], {}, model="m", layout="l")
    assert plan.doc_freq(["zebra", "tiger"]) == {"zebra": 1, "tiger": 0}
    store.write_document(_doc(2), [_chunk(0, "zebra tiger", "b")], {}, model="m", layout="l")
    assert plan.doc_freq(["zebra", "tiger"]) == {"zebra": 2, "tiger": 1}


def test_a_word_counted_absent_is_recounted_once_a_document_brings_it(store):
    # Counts are kept for MAX_AGE_S (30 s) while documents arrive, but a word counted as
    # absent would be left out of every query: a new document must be found at once.
    plan = Bm25(store)
    store.write_document(_doc(1), [_chunk(0, "zebra lion", "a")], {}, model="m", layout="l")
    assert plan.search(["tiger"], 10) == ([], [])
    assert plan.doc_freq(["zebra"]) == {"zebra": 1}
    written = store.write_document(
        _doc(2), [_chunk(0, "zebra tiger", "b")], {}, model="m", layout="l"
    )
    kept, hits = plan.search(["tiger"], 10)
    assert kept == ["tiger"]
    assert [c for c, _ in hits] == written.added_chunk_ids
    assert plan.doc_freq(["zebra"]) == {"zebra": 1}  # frequent counts may lag


def test_counts_survive_another_thread_refreshing_the_memo(store, monkeypatch):
    # Under ingest + chat, another thread's refresh swaps memo.doc_freq for a new dict while
    # this one is counting (seen in CI: KeyError in test_ingest_while_twenty_clients_stream).
    plan = Bm25(store)
    store.write_document(_doc(1), [_chunk(0, "zebra lion", "a")], {}, model="m", layout="l")
    counted = store.vocab_counts

    def count_then_swap(terms):
        found = counted(terms)
        plan.memo.doc_freq = {}  # what a refresh in another thread does
        return found

    monkeypatch.setattr(store, "vocab_counts", count_then_swap)
    assert plan.doc_freq(["zebra", "tiger"]) == {"zebra": 1, "tiger": 0}
