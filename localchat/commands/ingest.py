"""`localchat ingest PATH...`: files and folders, with a progress bar; non-zero if any failed."""

from __future__ import annotations

import argparse
import sys

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from localchat.commands.output import console, print_json
from localchat.config import Settings
from localchat.ingest.progress import IngestProgress
from localchat.runtime import Runtime


def main(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Runtime.open(settings)
    err = console(stderr=True)
    try:
        show = not args.json and sys.stderr.isatty()
        with Progress(
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[chunks]} chunks"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[current]}"),
            console=err,
            disable=not show,
            transient=True,
        ) as bar:
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

            report = runtime.ingest(args.paths, on_progress=on_progress)
    finally:
        runtime.close()
    if args.json:
        print_json(report)
    else:
        for outcome in report.outcomes:
            if outcome.warnings:
                for warning in outcome.warnings:
                    err.print(f"[yellow]warning[/] {escape(outcome.path)}: {escape(warning)}")
        for failure in report.errors:
            err.print(f"[red]failed[/]  {escape(failure.path)}: {escape(failure.message)}")
        rate = f", {report.tokens_per_second:,.0f} tokens/s" if report.tokens else ""
        err.print(
            f"{report.files} files: {report.added} added, {report.replaced} replaced, "
            f"{report.unchanged} unchanged, {report.failed} failed; {report.chunks} chunks "
            f"in {report.seconds:.1f}s{rate}"
        )
    return 1 if report.failed else 0
