"""Watcher on real files in a temp dir: create, modify, delete, rename (no re-parse, no
re-embedding), a corrupt PDF that fails alone, bursts, the rescan fallback, resume."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from localchat.config import WatchFolder
from localchat.errors import ConfigError
from localchat.watch.state import WatchState
from localchat.watch.watcher import Watcher
from tests.localchat.watch.conftest import Library, wait_until, write


def watcher(library: Library, folder: Path, **options) -> Watcher:
    options.setdefault("debounce_s", 0.2)
    return Watcher(library.adapter, [WatchFolder(str(folder))], **options)


def text(n: int) -> str:
    return f"# Note {n}\n\nRivet number {n} holds the wing panel {n} in place.\n"


def test_create_modify_delete_and_rename_follow_the_folder(library, tmp_path):
    folder = tmp_path / "notes"
    write(folder / "first.md", text(1))
    with watcher(library, folder) as watch:
        wait_until(watch.scanned.is_set, what="the first scan")
        first = str(folder / "first.md")
        assert library.paths() == [first]

        second = write(folder / "sub" / "second.md", text(2))
        wait_until(lambda: str(second) in library.paths(), what="a new file ingested")

        doc = library.resources.store.document_by_path(first)
        write(folder / "first.md", text(1) + "\nA second paragraph about sealant.\n")
        wait_until(
            lambda: library.resources.store.document_by_path(first).sha256 != doc.sha256,
            what="the changed file replaced",
        )
        assert library.resources.store.document_by_path(first).id == doc.id

        texts, loads = library.embedder.texts, len(library.loads)
        vectors = library.resources.store.read("SELECT count(*) FROM vectors")[0][0]
        renamed = folder / "renamed.md"
        Path(first).rename(renamed)
        wait_until(lambda: str(renamed) in library.paths(), what="the rename recognised")
        moved = library.resources.store.document_by_path(str(renamed))
        assert moved.id == doc.id and moved.filename == "renamed.md"
        assert first not in library.paths()
        assert (library.embedder.texts, len(library.loads)) == (texts, loads)  # no re-work
        assert library.resources.store.read("SELECT count(*) FROM vectors")[0][0] == vectors

        chunks_before = library.resources.store.counts()[1]
        second.unlink()
        wait_until(lambda: str(second) not in library.paths(), what="the deleted file removed")
        assert library.resources.store.counts()[1] < chunks_before
        assert len(library.resources.index) == library.resources.store.counts()[1]


def test_a_corrupt_pdf_fails_alone_with_its_error_in_the_job_and_the_state(library, tmp_path):
    folder = tmp_path / "inbox"
    write(folder / "good.md", text(3))
    bad = folder / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage, no xref\n")
    synced = []
    with watcher(library, folder, on_synced=synced.append) as watch:
        wait_until(watch.scanned.is_set, what="the first scan")
    assert library.paths() == [str(folder / "good.md")]
    job = synced[0].job
    assert job.kind == "ingest" and job.status == "done" and job.failed == 1
    assert [e.path for e in job.errors] == [str(bad)]
    assert library.jobs.get(job.id).errors[0].code == "corrupt_file"
    failures = WatchState(library.resources.store).failures()
    assert list(failures) == [str(bad)] and failures[str(bad)].job_id == job.id
    assert failures[str(bad)].message == job.errors[0].message

    # Unchanged, it is not parsed again by the next scan; fixed, it is ingested and forgotten.
    loads = len(library.loads)
    again = watcher(library, folder).scan_folder(WatchFolder(str(folder)))
    assert again is not None and again.still_failed == 1 and len(library.loads) == loads
    bad.unlink()  # the user replaces it with a readable version
    fixed = write(folder / "broken.md", text(4))
    watcher(library, folder).scan_folder(WatchFolder(str(folder)))
    assert str(fixed) in library.paths()
    assert WatchState(library.resources.store).failures() == {}


def test_a_burst_of_files_is_debounced_into_few_jobs(library, tmp_path):
    folder = tmp_path / "burst"
    folder.mkdir()
    with watcher(library, folder, debounce_s=0.5) as watch:
        wait_until(watch.scanned.is_set, what="the first scan")
        jobs_before = len(library.jobs.list())
        for n in range(300):
            write(folder / f"d{n // 50}" / f"f{n}.md", text(n))
        wait_until(lambda: len(library.paths()) == 300, timeout=120, what="300 files ingested")
    ingests = library.jobs.list()[: len(library.jobs.list()) - jobs_before]
    assert 1 <= len(ingests) <= 3, [j.files_total for j in ingests]
    assert sum(j.added for j in ingests) == 300


def test_without_file_events_the_periodic_rescan_keeps_up(library, tmp_path, monkeypatch):
    folder = tmp_path / "nfs"
    write(folder / "a.md", text(5))
    monkeypatch.setattr(Watcher, "_open_notify", lambda self: None)
    with watcher(library, folder, rescan_s=0.3) as watch:
        wait_until(watch.scanned.is_set, what="the first scan")
        assert not watch.has_events
        write(folder / "b.md", text(6))
        wait_until(lambda: len(library.paths()) == 2, what="the rescan found b.md")
        (folder / "a.md").unlink()
        wait_until(lambda: library.paths() == [str(folder / "b.md")], what="a.md removed")


def test_an_interrupted_scan_resumes_without_redoing_finished_files(settings, tmp_path):
    folder = tmp_path / "big"
    for n in range(12):
        write(folder / f"f{n:02}.md", text(n))
    first = Library(settings)
    gate, reached = threading.Event(), threading.Event()
    load = first.resources.load

    def stall_after_five(path):
        if len(first.loads) > 5:
            reached.set()
            gate.wait(30)
        return load(path)

    first.resources.load = stall_after_five
    watch = watcher(first, folder).start()
    try:
        wait_until(reached.is_set, what="the scan to reach the sixth file")
        wait_until(lambda: len(first.paths()) >= 5, what="five files written")
        watch.stop()  # Ctrl-C mid-scan …
        first.jobs.close(timeout=0.5)  # … cancels the running job
    finally:
        gate.set()
        first.close()

    second = Library(settings)
    try:
        finished = set(second.paths())
        assert 5 <= len(finished) < 12
        record = WatchState(second.resources.store).scan(str(folder.resolve()))
        assert record is not None and record.interrupted
        synced = watcher(second, folder).scan_folder(WatchFolder(str(folder)))
        assert synced is not None and synced.resumed
        assert len(second.paths()) == 12
        assert finished.isdisjoint(second.loads)  # finished files were not read again
        assert synced.job.files_total == 12 - len(finished) and synced.unchanged == len(finished)
        assert not WatchState(second.resources.store).scan(str(folder.resolve())).interrupted
    finally:
        second.close()


def test_bad_folders_and_collections_are_refused_with_a_hint(library, tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        Watcher(library.adapter, [WatchFolder(str(tmp_path / "nowhere"))])
    write(tmp_path / "file.md", "x")
    with pytest.raises(ConfigError, match="not a folder"):
        Watcher(library.adapter, [WatchFolder(str(tmp_path / "file.md"))])
    with pytest.raises(ConfigError, match="not a valid collection name") as caught:
        Watcher(library.adapter, [WatchFolder(str(tmp_path), "papers/2024")])
    assert "--collection" in caught.value.hint
    with pytest.raises(ConfigError, match="reserved"):
        Watcher(library.adapter, [WatchFolder(str(tmp_path), "all")])


def test_a_folder_feeds_its_collection(library, tmp_path):
    folder = tmp_path / "papers"
    note = write(folder / "rivets.md", text(1))
    with Watcher(library.adapter, [WatchFolder(str(folder), "Papers")], debounce_s=0.2) as watch:
        wait_until(watch.scanned.is_set, what="the first scan")
        store = library.resources.store
        assert [d.path for d in store.list_documents("papers")] == [str(note)]
        assert store.list_documents("default") == []
        added = write(folder / "later.md", text(2))
        wait_until(
            lambda: str(added) in [d.path for d in store.list_documents("papers")],
            what="a new file in the folder's collection",
        )
