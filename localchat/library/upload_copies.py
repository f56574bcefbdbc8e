"""Where the server keeps its copies of uploaded files (under the data dir), and how one goes.

An upload is our own copy, so it leaves with its document; a file ingested from its own place
on disk is never touched.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

UPLOADS = "uploads"


def uploads_folder(data_path: Path) -> Path:
    return data_path / UPLOADS


def is_upload(path: str, data_path: Path) -> bool:
    return Path(path).is_relative_to(uploads_folder(data_path))


def remove_upload(path: str, data_path: Path) -> None:
    """Delete our copy of an upload, and its hash folder once empty."""
    file = Path(path)
    file.unlink(missing_ok=True)
    if file.parent != uploads_folder(data_path):
        with contextlib.suppress(OSError):
            file.parent.rmdir()
