"""The watcher loop: file events (watchfiles) and periodic full rescans become batches of
renames, deletes and one ingest job each, run by the job worker (never on an event loop)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec

from localchat.config import WatchFolder
from localchat.errors import ConfigError
from localchat.job import Job
from localchat.watch.batch import Batcher
from localchat.watch.library import WatchLibrary, check_collection
from localchat.watch.scan import Look, Plan, diff, look_at_folder, look_at_paths, stat_of
from localchat.watch.state import FailedFile, WatchState

log = logging.getLogger("localchat.watch")
STEP_MS = 50  # how often the event thread looks at its stop flag


class Synced(msgspec.Struct):
    """One batch done: what it changed in the library (for the CLI's lines and for tests)."""

    root: str
    full_scan: bool
    renamed: list[tuple[str, str]] = []
    deleted: list[str] = []
    unchanged: int = 0
    still_failed: int = 0
    job: Job | None = None  # the ingest job, finished (None when nothing needed ingesting)
    resumed: bool = False  # a full scan that picks up one cut off earlier


def resolve_folders(folders: Sequence[WatchFolder]) -> list[WatchFolder]:
    """Absolute, existing folders, each with a collection that exists."""
    resolved = []
    for folder in folders:
        path = Path(folder.path).expanduser()
        if not path.is_dir():
            raise ConfigError(
                f"cannot watch {path}: "
                + ("it is not a folder" if path.exists() else "it does not exist"),
                hint="name an existing folder (`localchat watch DIR`, or ingest.watch)",
                param="watch",
            )
        resolved.append(WatchFolder(str(path.resolve()), check_collection(folder.collection)))
    return resolved


class Watcher:
    """Keeps the documents under some folders equal to their files until `stop()`."""

    def __init__(
        self,
        library: WatchLibrary,
        folders: Sequence[WatchFolder],
        *,
        rescan_s: float = 300.0,
        debounce_s: float = 1.0,
        follow_symlinks: bool = False,
        force_polling: bool | None = None,
        on_synced: Callable[[Synced], None] | None = None,
    ) -> None:
        self.library = library
        self.folders = resolve_folders(folders)
        self.state = WatchState(library.store)
        self.rescan_s = rescan_s
        self.follow_symlinks = follow_symlinks
        self.force_polling = force_polling
        self.on_synced = on_synced
        self.batcher = Batcher(debounce_s)
        self._debounce_ms = max(int(debounce_s * 1000), STEP_MS)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.scanned = threading.Event()  # the first full scan of every folder is done
        self.batches = 0  # batches done (tests wait on it)
        self.has_events = False  # file events arrive (else only the rescan notices changes)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Watcher:
        """Watch first, then scan: a file that appears during the scan is not missed."""
        notify = self._open_notify()
        self.has_events = notify is not None
        if notify is not None:
            self._spawn("localchat-watch-events", self._events, notify)
        self._spawn("localchat-watch-sync", self._sync_loop)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop watching; a running ingest job is left to its JobManager (its close cancels
        it, and the next start resumes the scan)."""
        self._stop.set()
        self.batcher.close()
        for thread in self._threads:
            thread.join(timeout)

    def __enter__(self) -> Watcher:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _spawn(self, name: str, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _open_notify(self):
        from watchfiles._rust_notify import RustNotify

        polling = self.force_polling
        if polling is None:
            polling = bool(os.environ.get("WATCHFILES_FORCE_POLLING"))
        try:
            return RustNotify([f.path for f in self.folders], False, polling, 300, True, True)
        except (OSError, RuntimeError) as exc:  # e.g. the inotify watch limit
            log.warning(
                "no file events for %s (%s): only the full rescan every %.0fs keeps it in "
                "sync (raise fs.inotify.max_user_watches, or lower ingest.watch_rescan_s)",
                ", ".join(f.path for f in self.folders),
                exc,
                self._rescan_every(),
            )
            return None

    def _rescan_every(self) -> float:
        return self.rescan_s if self.rescan_s > 0 else 60.0

    # -- threads -------------------------------------------------------------------------------

    def _events(self, notify) -> None:
        # Every path goes to the batch: look_at_paths applies the folder walk's own rules
        # (hidden, unsupported), so events and rescans agree on what belongs to the library.
        try:
            while not self._stop.is_set():
                changes = notify.watch(self._debounce_ms, STEP_MS, 1000, self._stop)
                if isinstance(changes, str):  # 'timeout', 'stop' or 'signal'
                    continue
                if changes:
                    self.batcher.add(path for _change, path in changes)
        except Exception:
            log.exception("file events stopped; the periodic rescan goes on")
        finally:
            notify.close()

    def _sync_loop(self) -> None:
        next_scan = 0.0  # the first full scan runs at once: it resumes an interrupted one
        while not self._stop.is_set():
            if time.monotonic() >= next_scan:
                for folder in self.folders:
                    if self._stop.is_set():
                        return
                    self._guarded(self.scan_folder, folder)
                self.scanned.set()
                next_scan = time.monotonic() + self._rescan_every()
                if self.rescan_s <= 0 and self.has_events:
                    next_scan = float("inf")
            batch = self.batcher.take(timeout=max(0.0, min(next_scan - time.monotonic(), 5.0)))
            if batch:
                self._guarded(self.sync_paths, batch)

    def _guarded(self, work, arg) -> None:
        try:
            work(arg)
        except Exception:  # one bad batch must not stop the watcher; the next rescan retries
            log.exception("watch: could not sync %s", getattr(arg, "path", "a batch of changes"))
        finally:
            self.batches += 1

    # -- one batch -----------------------------------------------------------------------------

    def scan_folder(self, folder: WatchFolder) -> Synced | None:
        """A full scan of one folder; its record says whether it finished."""
        previous = self.state.scan_started(folder.path, folder.collection)
        resumed = previous is not None and previous.interrupted
        if resumed:
            log.info("resuming the interrupted scan of %s", folder.path)
        look = look_at_folder(folder.path, follow_symlinks=self.follow_symlinks)
        synced = self._apply(folder, look, full_scan=True)
        if synced is not None:
            synced.resumed = resumed
            if synced.job is None or synced.job.status == "done":
                self.state.scan_finished(folder.path)
        return synced

    def sync_paths(self, paths: Sequence[str]) -> list[Synced]:
        """Bring the documents of the changed paths (from file events) up to date."""
        done = []
        for folder in self.folders:
            prefix = folder.path.rstrip("/") + "/"
            mine = [p for p in paths if p == folder.path or p.startswith(prefix)]
            if not mine:
                continue
            look = look_at_paths(mine, folder.path, follow_symlinks=self.follow_symlinks)
            if (synced := self._apply(folder, look, full_scan=False)) is not None:
                done.append(synced)
        return done

    def _apply(self, folder: WatchFolder, look: Look, *, full_scan: bool) -> Synced | None:
        known = self.library.documents_in(look)
        failures = self.state.failures(folder.path)
        plan = diff(look.present, known, failures)
        synced = Synced(folder.path, full_scan, unchanged=plan.unchanged)
        synced.still_failed = plan.still_failed
        for rename in plan.renames:
            self.library.rename(rename)
            synced.renamed.append((rename.old_path, rename.new_path))
        for document in plan.deletes:
            self.library.delete(document)
            synced.deleted.append(document.path)
        gone = [p for p in failures if p not in look.present and _in_look(p, look)]
        self.state.clear_failures(gone + [r.new_path for r in plan.renames])
        if plan.ingest:
            synced.job = self._ingest(folder, plan)
            if synced.job is None:  # stopped while the job ran: the next start resumes
                return None
        if not plan.empty and self.on_synced is not None:
            self.on_synced(synced)
        return synced

    def _ingest(self, folder: WatchFolder, plan: Plan) -> Job | None:
        job = self.library.ingest(plan.ingest, folder.collection)
        while (job := self.library.job(job.id)).finished_at is None:
            if self._stop.wait(0.05):
                return None
        failed = {e.path: e for e in job.errors}
        self.state.record_failures(
            [
                FailedFile(path, folder.path, st.size, st.mtime, e.code, e.message, job.id)
                for path, e in failed.items()
                if path in plan.ingest and (st := stat_of(path)) is not None
            ]
        )
        if job.status == "done":
            self.state.clear_failures([p for p in plan.ingest if p not in failed])
        return job


def _in_look(path: str, look: Look) -> bool:
    return path in look.files or any(
        path == folder or path.startswith(folder.rstrip("/") + "/") for folder in look.folders
    )
