"""`localchat models [--json]` lists the models on this machine; `models use NAME` picks one."""

from __future__ import annotations

import argparse

from rich.markup import escape
from rich.table import Table

from localchat.commands.output import console, print_json
from localchat.config import Settings
from localchat.config_file import config_path, set_value
from localchat.modelfiles import discover
from localchat.modelfiles.choose import find_entry
from localchat.modelfiles.discover import embedding_name
from localchat.wire.models import models_view


def main(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "action", None) == "use":
        return use(args, settings)
    view = models_view(discover(settings), _chat_name(settings), embedding_name(settings))
    if args.json:
        print_json(view)
        return 0
    out = console()
    table = Table("", "name", "kind", "size", "origin", "note")
    for model in view.models:
        table.add_row(
            "*" if model.active else "",
            escape(model.name),
            model.kind,
            _megabytes(model.size_bytes),
            model.origin,
            escape(model.note),
        )
    out.print(table)
    for line in view.warnings:
        console(stderr=True).print(f"[yellow]warning:[/] {escape(line)}")
    out.print("Choose one with `localchat models use NAME` (* marks the ones in use).")
    return 0


def use(args: argparse.Namespace, settings: Settings) -> int:
    """Persist the choice in the config file: only models.chat_model or models.embedding_model."""
    entry = find_entry(discover(settings), args.name)
    if entry.kind not in ("chat", "embedding"):
        console(stderr=True).print(f"error: {escape(entry.name)} is not a text model")
        return 2
    key = "chat_model" if entry.kind == "chat" else "embedding_model"
    path = config_path(args.config)
    set_value(path, "models", key, entry.name)
    out = console()
    out.print(f"models.{key} = {escape(entry.name)!r} written to {escape(str(path))}")
    if entry.kind == "embedding":
        out.print(
            "The library is re-embedded with it in the background at the next start; "
            "until then the current vectors keep serving."
        )
    else:
        out.print("A running server switches with POST /api/models/active (or the TUI's picker).")
    return 0


def _chat_name(settings: Settings) -> str:
    from localchat.modelfiles.locate import SMOLLM2_FILE

    models = settings.models
    if models.chat_model:
        return models.chat_model
    if models.generation_path:
        return models.generation_path.rsplit("/", 1)[-1].removesuffix(".gguf")
    return models.upstream_model or SMOLLM2_FILE.removesuffix(".gguf")


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size else "—"
