"""`localchat ingest PATH...`: files and folders, with a progress bar; non-zero if any failed.

When a server for the same library answers on the configured port (the TUI's, or
`localchat serve`), the work goes to it through the one client-side ingest
(`localchat.client.ingest`): the server owns the vector index, so ingesting beside it would
leave its index behind. Otherwise the library is opened in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from localchat.client.launch import server_url
from localchat.client.library import server_for_library
from localchat.commands.output import console, print_json
from localchat.config import Settings
from localchat.ingest.progress import IngestProgress
from localchat.resources import Resources


def main(args: argparse.Namespace, settings: Settings) -> int:
    url = server_url(settings)
    if server_for_library(url, settings.data_path):
        return _through_server(args, settings, url)
    return _in_process(args, settings)


def _bar(err, show: bool) -> Progress:
    return Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[chunks]} chunks"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=err,
        disable=not show,
        transient=True,
    )


def _in_process(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Resources.open(settings)
    err = console(stderr=True)
    try:
        with _bar(err, not args.json and sys.stderr.isatty()) as bar:
            task = bar.add_task("ingest", total=None, chunks=0, current="")

            def on_progress(p: IngestProgress) -> None:
                name = p.current.rsplit("/", 1)[-1]
                bar.update(
                    task,
                    total=p.files_total,
                    completed=p.files_done,
                    chunks=p.chunks,
                    current=escape(name[-40:]),
                )

            report = runtime.library.ingest(
                args.paths, on_progress=on_progress, collection=args.collection
            )
    finally:
        runtime.close()
    if args.json:
        print_json(report)
        return 1 if report.failed else 0
    for outcome in report.outcomes:
        for warning in outcome.warnings:
            err.print(f"[yellow]warning[/] {escape(outcome.path)}: {escape(warning)}")
    for failure in report.errors:
        err.print(f"[red]failed[/]  {escape(failure.path)}: {escape(failure.message)}")
    _print_skipped(err, [(o.path, o.message) for o in report.skipped])
    rate = f", {report.tokens_per_second:,.0f} tokens/s" if report.tokens else ""
    err.print(
        f"{report.files} files: {report.added} added, {report.replaced} replaced, "
        f"{report.unchanged} unchanged, {report.failed} failed; {report.chunks} chunks "
        f"in {report.seconds:.1f}s{rate}"
    )
    return 1 if report.failed else 0


def _print_skipped(err, skipped: list[tuple[str, str]]) -> None:
    for path, message in skipped:
        err.print(f"[yellow]skipped[/] {escape(path)}: {escape(message.removeprefix('skipped: '))}")


def _api_key(settings: Settings) -> str:
    if settings.server.api_keys:
        return settings.server.api_keys[0]
    if settings.server.api_keys_file:
        try:
            lines = Path(settings.server.api_keys_file).expanduser().read_text().splitlines()
        except OSError:
            return ""
        return next((s for line in lines if (s := line.strip()) and not s.startswith("#")), "")
    return ""


class _BarView:
    """Shows the combined job on the progress bar (the CLI's JobCard)."""

    is_attached = True

    def __init__(self, bar: Progress, task) -> None:
        self.bar, self.task = bar, task

    def update_job(self, job) -> None:
        name = job.current.rsplit("/", 1)[-1]
        self.bar.update(
            self.task,
            total=job.files_total or None,
            completed=job.files_done,
            chunks=job.chunks,
            current=escape(name[-40:]),
        )


def _through_server(args: argparse.Namespace, settings: Settings, url: str) -> int:
    from localchat.client.http import LocalChatClient
    from localchat.client.ingest import ingest

    err = console(stderr=True)
    if not args.json:
        err.print(f"[dim]sending to the LocalChat server at {url}[/]")

    async def run():
        api = LocalChatClient(url, api_key=_api_key(settings), timeout=120)
        try:
            with _bar(err, not args.json and sys.stderr.isatty()) as bar:
                view = _BarView(bar, bar.add_task("ingest", total=None, chunks=0, current=""))
                follow = settings.ingest.follow_symlinks
                return await ingest(
                    api, args.paths, view, follow_symlinks=follow, collection=args.collection
                )
        finally:
            await api.aclose()

    job = asyncio.run(run())
    if args.json:
        print_json(job)
        return 1 if job.failed or job.status != "done" else 0
    for failure in job.errors:
        err.print(f"[red]failed[/]  {escape(failure.path)}: {escape(failure.message)}")
    _print_skipped(err, [(s.path, s.message) for s in job.skipped])
    err.print(
        f"{job.files_total} files: {job.added} added, {job.replaced} replaced, "
        f"{job.unchanged} unchanged, {job.failed} failed; {job.chunks} chunks "
        f"(by the server, job {job.id}: {job.status})"
    )
    return 1 if job.failed or job.status != "done" else 0
