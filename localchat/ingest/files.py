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


def walk_paths(
    paths: Iterable[str | Path], *, follow_symlinks: bool = False
) -> tuple[list[Path], list[FileOutcome]]:
    """Supported files under the given paths (resolved, deduplicated, sorted per folder).

    Files named explicitly with an unknown suffix fail (unsupported_file). Inside folders,
    nothing is passed over silently: unsupported files, hidden files and folders, and symlinks
    that lead outside the folder (unless `follow_symlinks`, i.e. ingest.follow_symlinks) come
    back as `skipped` outcomes, each with its reason, next to the failures.
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
            for found in _walk_dir(path.resolve(), errors, follow_symlinks):
                files.setdefault(found, None)
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.setdefault(path.resolve(), None)
        else:
            errors.append(
                FileOutcome.failed(
                    str(path),
                    UnsupportedFileError(
                        f"{path.name}: unsupported file type {path.suffix or '(none)'}",
                        hint=unsupported_hint(),
                    ),
                )
            )
    return list(files), errors


def unsupported_hint() -> str:
    return "supported: " + " ".join(sorted(SUPPORTED_SUFFIXES))


def _skip(path: Path, code: str, why: str) -> FileOutcome:
    return FileOutcome.skipped(str(path), code, f"skipped: {why}")


def _outside(path: Path, root: Path) -> bool:
    try:
        return not path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a symlink loop resolves nowhere: not inside the folder
        return True


def _resolved(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return "itself (a symlink loop)"


def _link_skip(path: Path, root: Path) -> FileOutcome:
    return _skip(
        path,
        "symlink_outside",
        f"a symlink to {_resolved(path)}, outside {root} (set ingest.follow_symlinks = true "
        "to follow it)",
    )


def _walk_dir(root: Path, errors: list[FileOutcome], follow_symlinks: bool) -> list[Path]:
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
        dirnames[:] = _kept_dirs(Path(folder), sorted(dirnames), root, follow_symlinks, errors)
        for name in sorted(filenames):
            path = Path(folder) / name
            if name.startswith("."):
                errors.append(_skip(path, "hidden_file", "hidden file"))
            elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
                kind = path.suffix or "(no extension)"
                errors.append(_skip(path, "unsupported_file", f"unsupported type {kind}"))
            elif not follow_symlinks and path.is_symlink() and _outside(path, root):
                errors.append(_link_skip(path, root))
            elif path.is_file():
                found.append(path.resolve())
            else:
                errors.append(_skip(path, "not_a_file", "not a regular file (a broken link?)"))
    return found


def _kept_dirs(
    folder: Path, names: list[str], root: Path, follow_symlinks: bool, errors: list[FileOutcome]
) -> list[str]:
    kept = []
    for name in names:
        path = folder / name
        if name.startswith("."):
            errors.append(_skip(path, "hidden_folder", "hidden folder"))
        elif not follow_symlinks and path.is_symlink() and _outside(path, root):
            errors.append(_link_skip(path, root))
        else:
            kept.append(name)
    return kept
