"""Library, the one owner of corpus writes: real SQLite and the real USearch index, with the hash
embedder. Every write keeps SQLite, the index and the answer cache in step and sets the gauges
once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from localchat.chat.retrieve import retrieve
from localchat.embedding.embedder import HashEmbedder
from localchat.library.upload_copies import uploads_folder
from localchat.resources import Resources
from localchat.telemetry import RecordingTelemetry

NUTS = "# Nuts\n\nThe Boots self-locking nut holds tight despite severe vibration.\n"
PUMPS = "# Pumps\n\nThe QX-17 pump cools the reactor and needs new seals every year.\n"


@pytest.fixture
def resources(settings):
    opened = Resources.open(
        settings, embedder=HashEmbedder(), telemetry=RecordingTelemetry(), isolate_parsing=False
    )
    yield opened
    opened.close()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def chunk_ids(resources, document_id: int | None = None) -> set[int]:
    where, params = ("WHERE document_id = ?", (document_id,)) if document_id else ("", ())
    return {row[0] for row in resources.store.read(f"SELECT id FROM chunks {where}", params)}


def index_keys(resources) -> set[int]:
    return set(resources.index.keys().tolist())


def stored_calls(resources) -> list[tuple]:
    return [call for call in resources.telemetry.calls if call[0] == "stored"]


def cached_search(resources, query: str = "Boots nut vibration") -> bool:
    """Search through the answer cache's retrieval tier; True when it was a cache hit."""
    before = len(resources.telemetry.calls)
    retrieve(resources, query, resources.params())  # the chat service's retrieval step
    tiers = [c for c in resources.telemetry.calls[before:] if c[:2] == ("cache", "retrieval")]
    assert len(tiers) == 1, resources.telemetry.calls[before:]
    return tiers[0][2]


def test_ingest_adds_then_replaces_keeping_sqlite_and_the_index_in_step(resources, tmp_path):
    library = resources.library
    nuts = write(tmp_path / "docs" / "nuts.md", NUTS)
    report = library.ingest([nuts])
    assert (report.added, report.failed) == (1, 0)
    [doc] = resources.store.list_documents()
    first_ids = chunk_ids(resources, doc.id)
    assert first_ids and index_keys(resources) == first_ids
    assert stored_calls(resources) == [("stored", 1, len(first_ids))]  # once per ingest
    assert [c[1] for c in resources.telemetry.calls if c[0] == "ingested"] == [1]

    write(nuts, NUTS + "\nThe elastic stop nut has a fiber collar instead.\n")
    again = library.ingest([nuts])
    assert (again.added, again.replaced) == (0, 1)
    [same] = resources.store.list_documents()
    assert same.id == doc.id, "a replaced document keeps its id"
    new_ids = chunk_ids(resources, doc.id)
    assert index_keys(resources) == new_ids
    # Each key's vector is its new chunk's (SQLite may reuse a freed id, so compare vectors).
    for chunk in resources.store.document_chunks(doc.id):
        [expected] = resources.embedder.embed([chunk.text])
        held = resources.index.vectors([chunk.id])[chunk.id]
        assert float(held @ expected) > 0.99
        assert "elastic stop nut" in chunk.text
    assert len(stored_calls(resources)) == 2
    # The index file on disk says the same: a reopen needs no rebuild.
    assert resources.store.key_stats(resources.embedder.model_id)[0] == len(resources.index)


def test_an_unchanged_file_writes_nothing_and_keeps_the_cache(resources, tmp_path):
    nuts = write(tmp_path / "nuts.md", NUTS)
    resources.library.ingest([nuts])
    assert cached_search(resources) is False
    assert cached_search(resources) is True
    assert resources.library.ingest([nuts]).unchanged == 1
    assert cached_search(resources) is True, "no write, so the cached retrieval still serves"


def test_a_write_invalidates_the_cache(resources, tmp_path):
    resources.library.ingest([write(tmp_path / "nuts.md", NUTS)])
    assert cached_search(resources) is False
    assert cached_search(resources) is True
    resources.library.ingest([write(tmp_path / "pumps.md", PUMPS)])
    assert cached_search(resources) is False


def test_delete_removes_the_upload_copy_vectors_and_cached_answers(resources, settings):
    upload = write(uploads_folder(settings.data_path) / "0123456789abcdef" / "nuts.md", NUTS)
    resources.library.ingest([upload])
    [doc] = resources.store.list_documents()
    ids = chunk_ids(resources, doc.id)
    assert cached_search(resources) is False and cached_search(resources) is True
    calls_before = len(stored_calls(resources))

    removed = resources.library.delete(doc.id)

    assert set(removed) == ids
    assert resources.store.list_documents() == [] and chunk_ids(resources) == set()
    assert index_keys(resources) == set()
    assert resources.store.key_stats(resources.embedder.model_id)[0] == 0, "no vector left"
    assert not upload.exists() and not upload.parent.exists(), "the copy and its hash folder"
    assert uploads_folder(settings.data_path).is_dir()
    assert cached_search(resources) is False
    assert stored_calls(resources)[calls_before:] == [("stored", 0, 0)]


def test_delete_never_touches_a_file_ingested_from_its_own_place(resources, tmp_path):
    nuts = write(tmp_path / "nuts.md", NUTS)
    resources.library.ingest([nuts])
    [doc] = resources.store.list_documents()
    resources.library.delete(doc.id)
    assert nuts.read_text(encoding="utf-8") == NUTS


def test_rechunk_builds_beside_then_swaps_and_invalidates(resources, tmp_path):
    body = "\n\n".join(f"Paragraph {n} on torque, safety wire and nuts." for n in range(80))
    resources.library.ingest([write(tmp_path / "long.md", f"# Torque\n\n{body}\n")])
    old_ids = chunk_ids(resources)
    assert cached_search(resources, "torque safety wire") is False
    calls_before = len(stored_calls(resources))

    report = resources.library.rechunk(resources.params("fast"))

    assert report.swapped and report.removed_chunks == len(old_ids)
    new_ids = chunk_ids(resources)
    assert new_ids and not (new_ids & old_ids)
    assert index_keys(resources) == new_ids
    assert {d.layout for d in resources.store.list_documents()} == {"512/100"}
    assert cached_search(resources, "torque safety wire") is False, "the swap invalidated"
    assert stored_calls(resources)[calls_before:] == [("stored", 1, len(new_ids))]


def test_a_cancelled_rechunk_leaves_the_serving_layout_alone(resources, tmp_path):
    resources.library.ingest([write(tmp_path / "nuts.md", NUTS)])
    serving = chunk_ids(resources)
    cancel = threading.Event()
    cancel.set()
    report = resources.library.rechunk(resources.params("fast"), cancel=cancel)
    assert report.cancelled and not report.swapped
    assert chunk_ids(resources) == serving == index_keys(resources)


def test_sync_index_takes_in_another_writers_documents(resources, settings, tmp_path):
    resources.library.ingest([write(tmp_path / "nuts.md", NUTS)])
    other = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    try:
        other.library.ingest([write(tmp_path / "pumps.md", PUMPS)])
    finally:
        other.close()
    calls_before = len(stored_calls(resources))
    pumps = resources.store.document_by_path(str(tmp_path / "pumps.md"))
    assert pumps is not None and not (chunk_ids(resources, pumps.id) & index_keys(resources))
    added, removed = resources.library.sync_index()
    assert (added, removed) == (len(chunk_ids(resources, pumps.id)), 0)
    assert index_keys(resources) == chunk_ids(resources)
    assert stored_calls(resources)[calls_before:] == [("stored", 2, len(chunk_ids(resources)))]
    assert resources.library.sync_index() == (0, 0), "nothing new the second time"


def test_two_concurrent_ingests_of_one_file_add_it_once(resources, tmp_path):
    nuts = write(tmp_path / "nuts.md", NUTS)
    reports = []
    threads = [
        threading.Thread(target=lambda: reports.append(resources.library.ingest([nuts])))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted((r.added, r.unchanged) for r in reports) == [(0, 1), (1, 0)]
    assert len(resources.store.list_documents()) == 1
