"""The TUI's ingestion: the client-side ingest of `localchat.client.ingest`, plus the sample
documents the wizard offers."""

from __future__ import annotations

from pathlib import Path

import tui
from localchat.client.ingest import batches, check_paths, combine, follow, ingest, submit

__all__ = ["batches", "check_paths", "combine", "follow", "ingest", "sample_docs_dir", "submit"]


def sample_docs_dir() -> Path | None:
    """LocalChat's own docs/ folder (present in a source checkout or an editable install)."""
    folder = Path(tui.__file__).resolve().parents[1] / "docs"
    return folder if folder.is_dir() and any(folder.glob("*.md")) else None
