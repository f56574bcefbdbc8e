"""Shared CLI output helpers: JSON on stdout, human text through rich on stderr/stdout."""

from __future__ import annotations

import sys
from typing import Any

import msgspec
from rich.console import Console


def print_json(value: Any) -> None:
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(value), indent=2).decode() + "\n")
    sys.stdout.flush()


def console(stderr: bool = False) -> Console:
    # Document text is data: rich markup in it must never be interpreted.
    return Console(stderr=stderr, highlight=False, markup=True, emoji=False)
