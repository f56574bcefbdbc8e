"""WatchState rows survive reopening the database; doctor's notes read them."""

from __future__ import annotations

from localchat.store.store import Store
from localchat.watch.report import watch_notes
from localchat.watch.state import FailedFile, WatchState


def test_scans_and_failures_survive_a_reopen_and_show_in_doctor(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    state = WatchState(store)
    assert state.scan_started("/w", "default") is None
    state.record_failures([FailedFile("/w/bad.pdf", "/w", 5, 1.5, "corrupt_file", "damaged", "j1")])
    store.close()

    store = Store(tmp_path / "db.sqlite")
    try:
        state = WatchState(store)
        assert state.scan("/w").interrupted  # started, never finished: a crash
        notes = watch_notes(store)
        assert [n.name for n in notes] == ["watched folder", "watched file failed"]
        assert all(n.warn for n in notes)
        assert "cut off" in notes[0].detail and "/w/bad.pdf: damaged" in notes[1].detail
        previous = state.scan_started("/w", "default")
        assert previous is not None and previous.interrupted
        state.scan_finished("/w")
        state.clear_failures(["/w/bad.pdf"])
        assert not state.scan("/w").interrupted and state.failures() == {}
        assert [n.warn for n in watch_notes(store)] == [False]
    finally:
        store.close()
