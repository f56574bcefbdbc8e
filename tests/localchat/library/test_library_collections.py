"""Library and collections: ingest into one, join unchanged files, delete one with its index
entries, upload copies and gauges (real SQLite and USearch, hash embedder)."""

from __future__ import annotations

from localchat.library.upload_copies import uploads_folder
from tests.localchat.library.test_library import (
    NUTS,
    PUMPS,
    chunk_ids,
    index_keys,
    resources,
    stored_calls,
    write,
)

__all__ = ["resources"]  # the fixture, used by name


def test_ingest_into_a_collection_and_join_without_reading_again(resources, tmp_path):
    library = resources.library
    nuts = write(tmp_path / "docs" / "nuts.md", NUTS)
    assert library.ingest([nuts], collection="hardware").added == 1
    again = library.ingest([nuts])  # into "default": unchanged, but it joins
    assert again.unchanged == 1 and again.added == 0
    (doc,) = resources.store.list_documents()
    assert resources.store.collections_of([doc.id]) == {doc.id: ["default", "hardware"]}


def test_delete_collection_removes_only_its_own_documents_everywhere(resources, tmp_path):
    library = resources.library
    nuts = write(tmp_path / "docs" / "nuts.md", NUTS)
    library.ingest([nuts])
    upload = write(uploads_folder(resources.settings.data_path) / "ab12" / "pumps.md", PUMPS)
    library.ingest([upload], collection="plant")
    library.ingest([nuts], collection="plant")  # nuts.md is in default and plant
    pumps = next(d for d in resources.store.list_documents() if d.filename == "pumps.md")
    pump_chunks = chunk_ids(resources, pumps.id)
    assert pump_chunks <= index_keys(resources)
    before = len(stored_calls(resources))
    documents, chunks = library.delete_collection("plant")
    assert documents == [pumps.id] and set(chunks) == pump_chunks
    assert not pump_chunks & index_keys(resources)  # gone from the vector index too
    assert index_keys(resources) == chunk_ids(resources)
    assert [d.filename for d in resources.store.list_documents()] == ["nuts.md"]
    assert not upload.exists()  # the server's upload copy goes with its document
    assert nuts.exists()  # a file in its own place is never touched
    assert len(stored_calls(resources)) == before + 1 and stored_calls(resources)[-1][1:] == (
        1,
        len(chunk_ids(resources)),
    )
