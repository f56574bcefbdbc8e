"""Where HTTP-submitted documents may come from: uploads saved under the data dir, and
server-side paths only below the configured allowed roots (no `..`, no symlink escape)."""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path
from typing import BinaryIO

from localchat.errors import (
    FileTooLargeError,
    InvalidRequestError,
    UnsupportedFileError,
)
from localchat.ingest.loaders import media_type_for
from localchat.ingest.progress import FileOutcome

# The root checks live in the core (MCP ingests too); kept importable from here.
from localchat.ingest.roots import check_paths, expand_paths  # noqa: F401

UPLOADS = "uploads"
_UNSAFE = re.compile(r"[^\w.\- ()+,@]+")


def safe_filename(name: str) -> str:
    """A plain file name from a client-supplied one: no folders, no `..`, no control chars."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base or base.startswith("."):
        raise InvalidRequestError(
            f"the upload's file name {name!r} is not usable",
            hint="give the file a plain name such as report.pdf",
            param="file",
        )
    return base[:200]


def save_upload(source: BinaryIO, filename: str, folder: Path, max_bytes: int) -> Path:
    """Copy an upload into folder; the same name replaces the earlier upload (and its document
    is re-ingested). Refuses files over max_bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_filename(filename)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    written = 0
    with open(partial, "wb") as out:
        while block := source.read(1 << 20):
            written += len(block)
            if written > max_bytes:
                out.close()
                partial.unlink(missing_ok=True)
                raise FileTooLargeError(
                    f"{target.name} is over the {max_bytes // (1 << 20)} MiB file limit",
                    hint="split the file, or raise ingest.max_file_bytes",
                    param="file",
                )
            out.write(block)
    partial.replace(target)
    return target


def refuse_unsupported(filename: str) -> FileOutcome | None:
    """An upload LocalChat cannot read is not stored at all; the job lists it as failed."""
    try:
        media_type_for(Path(safe_filename(filename)))
    except UnsupportedFileError as exc:
        return FileOutcome.failed(filename, exc)
    return None


def is_upload(path: str, data_path: Path) -> bool:
    return Path(path).parent == uploads_folder(data_path)


def uploads_folder(data_path: Path) -> Path:
    return data_path / UPLOADS
