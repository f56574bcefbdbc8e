"""What the TUI remembers between runs: theme and the question history (a JSON file)."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

HISTORY_LIMIT = 200


class Prefs(msgspec.Struct):
    theme: str = "textual-dark"
    history: list[str] = []
    onboarded: bool = False
    # Uploaded file name → where it was read from, so "re-ingest" can read it again.
    origins: dict[str, str] = {}
    collection: str = "default"  # the active collection (ctrl+l switches it)

    @classmethod
    def load(cls, path: Path) -> Prefs:
        try:
            return msgspec.json.decode(path.read_bytes(), type=cls)
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            return cls()  # a missing or damaged file only costs the remembered history

    def save(self, path: Path) -> None:
        # Trim in place: the chat's PromptInput holds this very list, and a new one would
        # leave its Up/Down walking a stale copy for the rest of the session.
        del self.history[:-HISTORY_LIMIT]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(msgspec.json.encode(self))
            os.replace(tmp, path)
        except OSError:
            pass  # preferences are a convenience; never fail the app over them

    def remember(self, question: str) -> None:
        if question.strip() and (not self.history or self.history[-1] != question):
            self.history.append(question)
