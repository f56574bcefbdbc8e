"""The wire Structs: what the API serves is declared in wire/, byte for byte what it served
before (the store's rows, the retriever's hits), round-trips, and decodes tolerantly."""

from __future__ import annotations

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from localchat.chat.results import ChatResult
from localchat.client.types import decode
from localchat.retrieval.retriever import Hit
from localchat.store.records import DocumentRecord
from localchat.wire.api import DocumentView, HitView, view, views
from localchat.wire.jobs import Job
from localchat.wire.sources import Annotation, Quote, SourceEntry, UrlCitation, as_dict
from tests.factories import new_chunk, new_document

text = st.text(max_size=30)
small = st.integers(0, 10**6)
maybe_float = st.none() | st.floats(-1, 1, allow_nan=False)
hits = st.builds(
    Hit,
    chunk_id=small, document_id=small, filename=text, page=small, chunk_index=small,
    section=text, text=text, bm25_rank=st.none() | small, bm25_score=maybe_float,
    vector_rank=st.none() | small, cosine=maybe_float, fused=st.floats(0, 1), relevance=
    st.floats(0, 1), dropped=text,
)  # fmt: skip
quotes = st.builds(Quote, start=small, end=small, text=text)
entries = st.builds(
    SourceEntry,
    index=st.integers(1, 40), document_id=small, filename=text, page=small, chunk_index=small,
    relevance=st.floats(0, 1), preview=text, chunk_id=st.none() | small, text=st.none() | text,
    section=st.none() | text, cosine=maybe_float, quote=st.none() | quotes,
)  # fmt: skip


@given(hits)
def test_a_hit_view_is_served_exactly_as_the_hit_was(hit):
    assert msgspec.json.encode(view(HitView, hit)) == msgspec.json.encode(hit)


def test_the_views_declare_the_records_fields_in_order():
    # A field added to Hit or DocumentRecord is served only once wire/ says so; a document is
    # served with the collections it belongs to (the store keeps them in their own table).
    assert HitView.__struct_fields__ == Hit.__struct_fields__
    assert DocumentView.__struct_fields__ == (*DocumentRecord.__struct_fields__, "collections")


def test_a_document_view_is_served_exactly_as_the_stored_row(store):
    document = new_document("/docs/pump.md", filename="pump.md", sha256="s1", title="Pump")
    written = store.write_document(
        document, [new_chunk("prime the pump")], {}, model="m", layout="1/0"
    )
    record = store.get_document(written.document_id)
    served = msgspec.json.encode(view(DocumentView, record))
    assert served == msgspec.json.encode(record)[:-1] + b',"collections":[]}'
    listed = views(DocumentView, store.list_documents())
    assert [d.id for d in listed] == [record.id] and isinstance(listed[0], DocumentView)


@given(entries, st.lists(st.tuples(small, small, text), max_size=3))
def test_a_result_round_trips_through_json_and_the_cache_encoding(entry, spans):
    notes = [Annotation(UrlCitation(a, b, f"localchat://documents/{a}", t)) for a, b, t in spans]
    result = ChatResult("answer [1].", "stop", sources=[entry], annotations=notes)
    for encoding in (msgspec.json, msgspec.msgpack):
        again = encoding.decode(encoding.encode(result), type=ChatResult)
        assert again == result


def test_an_answer_cached_as_plain_dicts_still_decodes():
    # Before the typed wire, ChatResult held dicts; the msgpack of those is the same map.
    quote = {"start": 0, "end": 1, "text": "p"}
    entry = {"index": 1, "document_id": 3, "filename": "a.md", "page": 1, "quote": quote}
    span = {"start_index": 0, "end_index": 3, "url": "u", "title": "t"}
    note = {"url_citation": span, "type": "url_citation"}
    old = {"content": "x", "finish_reason": "stop", "sources": [entry], "annotations": [note]}
    result = msgspec.msgpack.decode(msgspec.msgpack.encode(old), type=ChatResult)
    assert result.sources[0].quote == Quote(0, 1, "p")
    assert result.annotations[0].url_citation.url == "u"
    assert as_dict(result.sources[0])["quote"] == quote
    assert as_dict(result.annotations) == [note]


def test_the_client_ignores_fields_it_does_not_know():
    job = decode({"id": "job_1", "kind": "ingest", "status": "done", "new_field": 1}, Job)
    assert job.finished and job.id == "job_1"
    entry = decode({"index": 2, "filename": "a.md", "collection": "work"}, SourceEntry)
    assert (entry.index, entry.filename, entry.text) == (2, "a.md", None)
