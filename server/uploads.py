"""Where HTTP-submitted documents may come from: uploads saved under the data dir, and
server-side paths only below the configured allowed roots (no `..`, no symlink escape).

An upload is stored by content: `uploads/<first 16 hex of its SHA-256>/<sanitised name>`. Two
different files never share a path, whatever their names (a folder upload with two README.md,
`a:b.txt` next to `a;b.txt`, concurrent uploads of one name); the same bytes under the same name
land on the same path and are reported unchanged. Replacing an earlier upload of the same name
is explicit (`replace=true`).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from localchat.errors import (
    FileTooLargeError,
    InvalidRequestError,
    PermissionDeniedError,
    UnsupportedFileError,
)
from localchat.ingest.files import walk_paths
from localchat.ingest.loaders import media_type_for
from localchat.ingest.progress import FileOutcome

UPLOADS = "uploads"
_UNSAFE = re.compile(r"[^\w.\- ()+,@]+")
MAX_NAME = 200
HASH_DIR = 16  # hex digits of the content hash that name an upload's folder


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
    return shorten(base)


def shorten(name: str) -> str:
    """At most MAX_NAME characters, keeping the extension (it decides the loader)."""
    if len(name) <= MAX_NAME:
        return name
    suffix = Path(name).suffix
    if len(suffix) > 16:  # not an extension, just a dot in a long name
        suffix = ""
    return name[: MAX_NAME - len(suffix)].rstrip(" .") + suffix


def save_upload(source: BinaryIO, filename: str, folder: Path, max_bytes: int) -> Path:
    """Copy an upload into folder/<content hash>/<name>: never over a different file.
    Refuses files over max_bytes."""
    name = safe_filename(filename)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    written = 0
    try:
        with open(partial, "wb") as out:
            while block := source.read(1 << 20):
                written += len(block)
                if written > max_bytes:
                    raise FileTooLargeError(
                        f"{name} is over the {max_bytes // (1 << 20)} MiB file limit",
                        hint="split the file, or raise ingest.max_file_bytes",
                        param="file",
                    )
                digest.update(block)
                out.write(block)
        target = folder / digest.hexdigest()[:HASH_DIR] / name
        target.parent.mkdir(exist_ok=True)
        partial.replace(target)  # same hash and name: the same bytes, so nothing is lost
    finally:
        partial.unlink(missing_ok=True)
    return target


def same_name_uploads(path: Path, documents) -> list[int]:
    """Ids of other uploaded documents with path's name (what `replace=true` removes)."""
    folder = path.parent.parent
    return [
        doc.id
        for doc in documents
        if Path(doc.path).name == path.name
        and Path(doc.path).parent.parent == folder
        and Path(doc.path) != path
    ]


def refuse_unsupported(filename: str) -> FileOutcome | None:
    """An upload LocalChat cannot read is not stored at all; the job lists it as failed."""
    try:
        media_type_for(Path(safe_filename(filename)))
    except UnsupportedFileError as exc:
        return FileOutcome.failed(filename, exc)
    return None


def is_upload(path: str, data_path: Path) -> bool:
    return Path(path).is_relative_to(uploads_folder(data_path))


def remove_upload(path: str, data_path: Path) -> None:
    """Delete our copy of an upload, and its hash folder once empty."""
    file = Path(path)
    file.unlink(missing_ok=True)
    if file.parent != uploads_folder(data_path):
        with contextlib.suppress(OSError):
            file.parent.rmdir()


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def check_paths(paths: Sequence[str], allowed_roots: Sequence[str]) -> list[Path]:
    """Each requested path, resolved, if it is absolute, has no `..`, and lies (after
    following symlinks) below an allowed root; else PermissionDeniedError naming it."""
    if not allowed_roots:
        raise PermissionDeniedError(
            "ingesting server-side paths over HTTP is turned off",
            hint="upload the files instead, or set server.allowed_roots",
            param="paths",
        )
    roots = [Path(root).expanduser().resolve() for root in allowed_roots]
    checked = []
    for index, raw in enumerate(paths):
        if "\x00" in raw:
            raise InvalidRequestError(
                f"paths[{index}] contains a NUL byte",
                hint="send the path as plain text, without control characters",
                param=f"paths[{index}]",
            )
        path = Path(raw).expanduser()
        if not path.is_absolute() or ".." in path.parts:
            raise PermissionDeniedError(
                f"paths[{index}] {raw!r} must be an absolute path without '..'",
                hint="send the full path of a file or folder below an allowed root",
                param=f"paths[{index}]",
            )
        resolved = path.resolve()
        if not _inside(resolved, roots):
            raise PermissionDeniedError(
                f"paths[{index}] {raw!r} is outside the allowed roots",
                hint="allowed: " + ", ".join(str(r) for r in roots),
                param=f"paths[{index}]",
            )
        checked.append(resolved)
    return checked


def expand_paths(
    paths: Sequence[Path], allowed_roots: Sequence[str], *, follow_symlinks: bool = False
) -> tuple[list[str], list[FileOutcome]]:
    """The files to ingest below paths, minus any that a symlink inside a folder leads outside
    the roots (refused: path_not_allowed) or, unless follow_symlinks, outside the folder that
    was asked for (skipped, with the reason)."""
    roots = [Path(root).expanduser().resolve() for root in allowed_roots]
    asked = [Path(path).resolve() for path in paths]
    files, failures = walk_paths(paths, follow_symlinks=True)  # links are judged below
    kept = []
    for file in files:
        if not _inside(file.resolve(), roots):
            failures.append(
                FileOutcome.failed(
                    str(file),
                    PermissionDeniedError(
                        f"{file} is outside the allowed roots (reached through a symlink)",
                        hint="move the file below an allowed root",
                    ),
                )
            )
        elif follow_symlinks or _inside(file.resolve(), asked):
            kept.append(str(file))
        else:
            failures.append(
                FileOutcome.skipped(
                    str(file),
                    "symlink_outside",
                    "skipped: reached through a symlink that leads outside the folder asked "
                    "for (set ingest.follow_symlinks = true to follow it)",
                )
            )
    return kept, failures


def uploads_folder(data_path: Path) -> Path:
    return data_path / UPLOADS
