"""`localchat search QUERY`: retrieval only, each hit with its score breakdown."""

from __future__ import annotations

import argparse

from rich import box
from rich.markup import escape
from rich.table import Table

from localchat.commands.output import console, print_json
from localchat.config import Settings
from localchat.resources import Resources

# Below this terminal width the passages are listed under the table instead of in a column.
WIDE_COLUMNS = 120


def _fmt(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def passage(hit, limit: int = 160) -> str:
    """The start of the passage (markup-escaped), with why it was dropped if it was."""
    preview = " ".join(hit.text.split())[:limit]
    why = f" [red](dropped: {escape(hit.dropped)})[/]" if hit.dropped else ""
    return escape(preview) + why


def hits_table(hits, title: str, wide: bool) -> Table:
    """Scores in narrow columns that never wrap; the passage column only when there is room."""
    table = Table(title=title, expand=wide, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True, min_width=2)
    table.add_column("file", overflow="ellipsis", no_wrap=True, max_width=24)
    for name in ("page", "bm25 #", "cosine", "rrf", "relevance"):
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    if wide:
        table.add_column("passage", ratio=1, min_width=40)
    for n, hit in enumerate(hits, start=1):
        cells = [
            str(n),
            escape(hit.filename),
            str(hit.page),
            _fmt(hit.bm25_rank, "d"),
            _fmt(hit.cosine, ".3f"),
            f"{hit.fused:.4f}",
            f"{hit.relevance:.2f}",
        ]
        table.add_row(*cells, *([passage(hit)] if wide else []))
    return table


def main(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Resources.open(settings, isolate_parsing=False)
    try:
        result = runtime.search(
            args.query, preset=args.preset, mode=args.mode, collection=args.collection
        )
    finally:
        runtime.close()
    if args.json:
        print_json(result)
        return 0
    out = console()
    if not result.hits:
        out.print("No passage passed the cut. Try other words, or `localchat ingest` more files.")
    shown = result.hits + (result.dropped if args.explain else [])
    wide = out.width >= WIDE_COLUMNS
    title = f"{len(result.hits)} hits for {escape(args.query)!s} in {escape(result.collection)}"
    out.print(hits_table(shown, title, wide))
    if not wide:  # the passages get the whole width below the table, not a squeezed column
        for n, hit in enumerate(shown, start=1):
            out.print(f"[bold]{n:>2}[/] {passage(hit)}")
    out.print(
        "relevance = the fused (reciprocal rank fusion) score scaled so the best possible "
        "passage is 1.00; rrf = the raw fused score (about 0.03 at best); cosine = vector "
        "similarity to the query."
    )
    t = result.timings_ms
    out.print(
        f"{t.get('total_ms', 0):.1f} ms (bm25 {t.get('bm25_ms', 0):.1f}, "
        f"vector {t.get('vector_ms', 0):.1f}); terms: {', '.join(result.terms)}"
    )
    return 0
