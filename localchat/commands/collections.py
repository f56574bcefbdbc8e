"""`localchat collections [list|create|rename|delete]`: the library's named collections.

Run in this process even beside a server: SQLite is the source of truth, a server catches
its vector index up with a delete made here (as with a CLI ingest), and names change nothing
the server holds in memory beyond the caches, which follow the corpus version.
"""

from __future__ import annotations

import argparse
import sys

from rich import box
from rich.markup import escape
from rich.table import Table

from localchat.commands.output import console, print_json
from localchat.config import Settings
from localchat.errors import InvalidRequestError
from localchat.store.collections import ALL, CollectionInfo, check_deletable
from localchat.store.store import Store


def main(args: argparse.Namespace, settings: Settings) -> int:
    action = args.action or "list"
    if action == "delete":
        return _delete(args, settings)
    settings.data_path.mkdir(parents=True, exist_ok=True)
    store = Store(settings.data_path / "localchat.db")
    try:
        if action == "create":
            info = store.create_collection(args.name)
            return _done(args, info, f"created the collection {info.name}")
        if action == "rename":
            info = store.rename_collection(args.old, args.new)
            return _done(args, info, f"renamed {args.old} to {info.name}")
        return _list(args, store)
    finally:
        store.close()


def _list(args: argparse.Namespace, store: Store) -> int:
    collections = store.list_collections()
    documents, chunks = store.counts()
    if args.json:
        whole = {"name": ALL, "documents": documents, "chunks": chunks}
        print_json({"collections": collections, "all": whole})
        return 0
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("collection", no_wrap=True)
    table.add_column("documents", justify="right")
    table.add_column("chunks", justify="right")
    table.add_column("model name", no_wrap=True)
    for info in collections:
        model = "localchat" if info.name == "default" else f"localchat/{info.name}"
        table.add_row(escape(info.name), str(info.documents), str(info.chunks), model)
    table.add_row(f"[dim]{ALL}[/]", str(documents), str(chunks), f"localchat/{ALL}")
    console().print(table)
    return 0


def _done(args: argparse.Namespace, info: CollectionInfo, message: str) -> int:
    if args.json:
        print_json(info)
    else:
        console(stderr=True).print(escape(message))
    return 0


def _delete(args: argparse.Namespace, settings: Settings) -> int:
    from localchat.resources import Resources  # the vector index forgets the deleted chunks

    resources = Resources.open(settings, isolate_parsing=False)
    try:
        store = resources.store
        name = check_deletable(store.resolve_collection(args.name))
        doomed = store.documents_only_in(name)
        if not args.yes and not _confirmed(name, len(doomed)):
            raise InvalidRequestError(
                f"not deleting the collection {name!r} without a yes",
                hint=f"run `localchat collections delete {name} --yes` to delete it and its "
                f"{len(doomed)} documents that belong to no other collection",
            )
        documents, chunks = resources.library.delete_collection(name)
    finally:
        resources.close()
    if args.json:
        print_json({"deleted": name, "documents_removed": documents, "chunks_removed": len(chunks)})
    else:
        console(stderr=True).print(
            f"deleted the collection {escape(name)}: {len(documents)} documents and "
            f"{len(chunks)} chunks removed (documents of other collections were kept)"
        )
    return 0


def _confirmed(name: str, documents: int) -> bool:
    """Ask on a terminal; anywhere else (scripts, pipes) only --yes deletes."""
    if not sys.stdin.isatty():
        return False
    prompt = (
        f"Delete the collection {name!r} and its {documents} documents that belong to no other "
        "collection? [y/N] "
    )
    return input(prompt).strip().lower() in ("y", "yes")
