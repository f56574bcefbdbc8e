"""Which server-side paths a remote caller (HTTP, MCP) may have ingested: only those below the
configured allowed roots, with no `..` and no symlink escape."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from localchat.errors import PermissionDeniedError
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
    paths: Sequence[Path], allowed_roots: Sequence[str]
) -> tuple[list[str], list[FileOutcome]]:
    """The files to ingest below paths, minus any that a symlink inside a folder leads outside
    the roots (those are reported as refused)."""
    roots = [Path(root).expanduser().resolve() for root in allowed_roots]
    files, failures = walk_paths(paths)
    kept = []
    for file in files:
        if _inside(file.resolve(), roots):
            kept.append(str(file))
        else:
            failures.append(
                FileOutcome.failed(
                    str(file),
                    PermissionDeniedError(
                        f"{file} is outside the allowed roots (reached through a symlink)",
                        hint="move the file below an allowed root",
                    ),
                )
            )
    return kept, failures
