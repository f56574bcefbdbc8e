"""Finding the files to ingest (folders recursed, symlink loops survived) and hashing them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from localchat.errors import FileTooLargeError, UnsupportedFileError
from localchat.ingest.loaders import SUPPORTED_SUFFIXES
from localchat.ingest.progress import FileOutcome


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def check_file_size(path: Path, size: int, limit: int) -> None:
    """FileTooLargeError when a file is over `ingest.max_file_bytes` (checked before parsing,
    so an oversized file costs one stat() and fails alone; the rest of the batch goes on)."""
    if size > limit:
        raise FileTooLargeError(
            f"{path.name} is {_mib(size)} ({size} bytes), over the {_mib(limit)} limit for one "
            "file",
            hint=f"raise ingest.max_file_bytes (now {limit}; env LOCALCHAT_INGEST_MAX_FILE_BYTES) "
            "or split the file",
        )


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB"


def walk_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileOutcome]]:
    """Supported files under the given paths (resolved, deduplicated, sorted per folder).

    Files named explicitly are returned even with an unknown suffix, so the loader can say why
    it refuses them; inside folders, unsupported and hidden files are skipped silently.
    """
    files: dict[Path, None] = {}
    errors: list[FileOutcome] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            errors.append(
                FileOutcome.failed(str(path), FileNotFoundError(f"{path} does not exist"))
            )
            continue
        if path.is_dir():
            for found in _walk_dir(path.resolve(), errors):
                files.setdefault(found, None)
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.setdefault(path.resolve(), None)
        else:
            errors.append(
                FileOutcome.failed(
                    str(path),
                    UnsupportedFileError(
                        f"{path.name}: unsupported file type {path.suffix or '(none)'}",
                        hint="supported: " + " ".join(sorted(SUPPORTED_SUFFIXES)),
                    ),
                )
            )
    return list(files), errors


def _walk_dir(root: Path, errors: list[FileOutcome]) -> list[Path]:
    found: list[Path] = []
    seen_dirs: set[tuple[int, int]] = set()

    def onerror(exc: OSError) -> None:
        errors.append(FileOutcome.failed(str(exc.filename or root), exc))

    for folder, dirnames, filenames in os.walk(root, followlinks=True, onerror=onerror):
        try:
            st = os.stat(folder)
        except OSError as exc:
            onerror(exc)
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen_dirs:  # a symlink loop: visit each folder once
            dirnames[:] = []
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            path = Path(folder) / name
            if path.is_file():
                found.append(path.resolve())
    return found
