"""Which server-side paths a remote caller (HTTP, MCP) may have ingested: only those below the
configured allowed roots, with no `..`, no NUL byte and no symlink escape."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from localchat.errors import InvalidRequestError, PermissionDeniedError
from localchat.ingest.files import walk_paths
from localchat.ingest.progress import FileOutcome

__all__ = ["check_paths", "expand_paths"]


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
