"""Where HTTP-submitted documents may come from: uploads saved under the data dir, and
server-side paths only below the configured allowed roots (no `..`, no symlink escape).

An upload is stored by content: `uploads/<first 16 hex of its SHA-256>/<sanitised name>`. Two
different files never share a path, whatever their names (a folder upload with two README.md,
`a:b.txt` next to `a;b.txt`, concurrent uploads of one name); the same bytes under the same name
land on the same path and are reported unchanged. Replacing an earlier upload of the same name
is explicit (`replace=true`).
"""

from __future__ import annotations

import hashlib
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

# The root checks and upload copies live in the core (MCP ingests, Library deletes); kept
# importable from here.
from localchat.ingest.roots import check_paths, expand_paths  # noqa: F401
from localchat.library.upload_copies import (  # noqa: F401
    is_upload,
    remove_upload,
    uploads_folder,
)

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
