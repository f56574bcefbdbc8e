"""`localchat search QUERY`: retrieval only, each hit with its score breakdown."""

from __future__ import annotations

import argparse

from rich.markup import escape
from rich.table import Table

from localchat.commands.output import console, print_json
from localchat.config import Settings
from localchat.runtime import Runtime


def _fmt(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def main(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Runtime.open(settings, isolate_parsing=False)
    try:
        result = runtime.search(args.query, preset=args.preset, mode=args.mode)
    finally:
        runtime.close()
    if args.json:
        print_json(result)
        return 0
    out = console()
    if not result.hits:
        out.print("No passage passed the cut. Try other words, or `localchat ingest` more files.")
    table = Table(title=f"{len(result.hits)} hits for {escape(args.query)!s}", expand=True)
    for col in ("#", "file", "page", "bm25 #", "cosine", "fused", "passage"):
        table.add_column(col, overflow="fold", ratio=4 if col == "passage" else None)
    shown = result.hits + (result.dropped if args.explain else [])
    for n, hit in enumerate(shown, start=1):
        preview = " ".join(hit.text.split())[:160]
        why = f" [red](dropped: {escape(hit.dropped)})[/]" if hit.dropped else ""
        table.add_row(
            str(n),
            escape(hit.filename),
            str(hit.page),
            _fmt(hit.bm25_rank, "d"),
            _fmt(hit.cosine, ".3f"),
            f"{hit.relevance:.3f}",
            escape(preview) + why,
        )
    out.print(table)
    t = result.timings_ms
    out.print(
        f"{t.get('total_ms', 0):.1f} ms (bm25 {t.get('bm25_ms', 0):.1f}, "
        f"vector {t.get('vector_ms', 0):.1f}); terms: {', '.join(result.terms)}"
    )
    return 0
