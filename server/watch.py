"""ingest.watch in the server: watchers start once the library is open and stop before it
closes; their ingests run on the job worker, so the event loop never does watch work."""

from __future__ import annotations

import logging

from localchat.errors import LocalChatError
from localchat.watch.library import WatchLibrary
from localchat.watch.watcher import Watcher, resolve_folders
from server.state import ServerState

log = logging.getLogger("localchat.server")


def start_watching(state: ServerState) -> Watcher | None:
    """Watch the configured folders; one that is missing (an unmounted share) is logged and
    left out rather than keeping the server from starting."""
    ingest = state.settings.ingest
    folders = []
    for folder in ingest.watched():
        try:
            folders += resolve_folders([folder])
        except LocalChatError as exc:
            log.error("ingest.watch: %s", exc.user_message())
    if not folders:
        return None
    watcher = Watcher(
        WatchLibrary(state.resources, state.jobs),
        folders,
        rescan_s=ingest.watch_rescan_s,
        debounce_s=ingest.watch_debounce_s,
        follow_symlinks=ingest.follow_symlinks,
    )
    for folder in watcher.folders:
        log.info("watching %s (collection %s)", folder.path, folder.collection)
    return watcher.start()


def stop_watching(watcher: Watcher | None) -> None:
    if watcher is not None:
        watcher.stop()
