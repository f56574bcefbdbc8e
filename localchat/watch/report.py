"""What `localchat doctor` says about watched folders: files that failed, interrupted scans."""

from __future__ import annotations

import msgspec

from localchat.store.store import Store
from localchat.watch.state import WatchState

SHOWN_FAILURES = 20


class WatchNote(msgspec.Struct, frozen=True):
    name: str
    detail: str
    fix: str = ""
    warn: bool = False


def watch_notes(store: Store) -> list[WatchNote]:
    state = WatchState(store)
    notes = []
    for scan in state.scans():
        if scan.interrupted:
            notes.append(
                WatchNote(
                    "watched folder",
                    f"{scan.root}: the last full scan was cut off",
                    "it resumes (finished files are not redone) at the next `localchat watch` "
                    "or server start with this folder in ingest.watch",
                    warn=True,
                )
            )
        else:
            notes.append(WatchNote("watched folder", f"{scan.root}: in sync at the last scan"))
    failures = list(state.failures().values())
    for failure in failures[:SHOWN_FAILURES]:
        notes.append(
            WatchNote(
                "watched file failed",
                f"{failure.path}: {failure.message} ({failure.code}, job {failure.job_id})",
                "fix or replace the file: the watcher retries it once it changes",
                warn=True,
            )
        )
    if len(failures) > SHOWN_FAILURES:
        notes.append(
            WatchNote(
                "watched file failed",
                f"and {len(failures) - SHOWN_FAILURES} more",
                "see the errors of the ingest jobs in GET /api/jobs",
                warn=True,
            )
        )
    return notes
