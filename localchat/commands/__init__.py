"""One module per CLI command; `run` picks the module for a parsed command line."""

from __future__ import annotations

import argparse
import importlib

from localchat.config import Settings

MODULES = {
    "ingest": "localchat.commands.ingest",
    "search": "localchat.commands.search",
    "ask": "localchat.commands.ask",
    "eval": "localchat.commands.evaluate",
    "doctor": "localchat.commands.doctor",
    "mcp": "localchat.commands.mcp",
    "models": "localchat.commands.models",
    "collections": "localchat.commands.collections",
    "watch": "localchat.commands.watch",
}


def run(command: str, args: argparse.Namespace, settings: Settings) -> int:
    module = importlib.import_module(MODULES[command])
    return module.main(args, settings)
