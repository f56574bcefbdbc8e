"""`localchat watch DIR... [--collection NAME]`: keep the library in sync with folders, in the
foreground, until Ctrl-C (with no DIR: the folders of ingest.watch)."""

from __future__ import annotations

import argparse
import signal
import threading

from rich.markup import escape

from localchat.commands.output import console
from localchat.config import Settings, WatchFolder
from localchat.errors import ConfigError
from localchat.jobs.manager import JobManager
from localchat.resources import Resources
from localchat.watch.library import WatchLibrary
from localchat.watch.watcher import Synced, Watcher, resolve_folders


def folders(args: argparse.Namespace, settings: Settings) -> list[WatchFolder]:
    if args.dirs:
        return [WatchFolder(path, args.collection or "default") for path in args.dirs]
    if args.collection:
        raise ConfigError(
            "--collection needs the folders to watch",
            hint="name them: `localchat watch DIR... --collection NAME`",
            param="collection",
        )
    configured = settings.ingest.watched()
    if not configured:
        raise ConfigError(
            "no folder to watch",
            hint="name one (`localchat watch ~/Documents`) or list them in ingest.watch "
            "(docs/configuration.md)",
            param="watch",
        )
    return configured


def main(args: argparse.Namespace, settings: Settings, stop: threading.Event | None = None) -> int:
    err = console(stderr=True)
    chosen = resolve_folders(folders(args, settings))  # a typo fails before models load
    resources = Resources.open(settings)
    jobs = JobManager(resources)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())  # `kill` stops as cleanly as Ctrl-C
    try:
        watch = Watcher(
            WatchLibrary(resources, jobs),
            chosen,
            rescan_s=settings.ingest.watch_rescan_s,
            debounce_s=settings.ingest.watch_debounce_s,
            follow_symlinks=settings.ingest.follow_symlinks,
            on_synced=lambda synced: report(err, synced),
        )
        for folder in watch.folders:
            err.print(f"watching {escape(folder.path)} → collection {escape(folder.collection)}")
        watch.start()
        try:
            err.print("[dim]Ctrl-C stops[/]")
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            err.print("stopping (an unfinished scan resumes at the next start)")
        finally:
            watch.stop()
    finally:
        jobs.close()
        resources.close()
    return 0


def report(err, synced: Synced) -> None:
    """One line per change the batch made, then the ingest job's summary and its failures."""
    for old, new in synced.renamed:
        err.print(f"renamed {escape(old)} → {escape(new)}")
    for path in synced.deleted:
        err.print(f"removed {escape(path)}")
    if synced.resumed:
        err.print(f"[dim]resumed the interrupted scan of {escape(synced.root)}[/]")
    job = synced.job
    if job is None:
        return
    for failure in job.errors:
        err.print(f"[red]failed[/]  {escape(failure.path)}: {escape(failure.message)}")
    err.print(
        f"{job.files_total} files: {job.added} added, {job.replaced} replaced, "
        f"{job.unchanged} unchanged, {job.failed} failed; {job.chunks} chunks (job {job.id}: "
        f"{job.status})"
    )
