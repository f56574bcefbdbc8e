"""What changed in a watched folder: files on disk against the documents of the library.

A file whose size and mtime equal its document's is taken as unchanged without reading it, so
a restarted watcher does not re-read a finished folder (and a scan cut off by a crash resumes
where it stopped: the files it finished are documents by then). New files with the bytes of a
document that vanished in the same look are renames: the document gets the new path and keeps
its chunks and vectors.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import msgspec

from localchat.ingest.files import file_sha256, walk_paths
from localchat.ingest.loaders import SUPPORTED_SUFFIXES
from localchat.watch.state import FailedFile


class FileStat(msgspec.Struct, frozen=True):
    size: int
    mtime: float


class Known(msgspec.Struct, frozen=True):
    """A document of the library whose file lies in a watched folder."""

    id: int
    path: str
    sha256: str
    size: int
    mtime: float


class Rename(msgspec.Struct, frozen=True):
    document_id: int
    old_path: str
    new_path: str
    size: int
    mtime: float


class Plan(msgspec.Struct):
    """The work one look at a folder found: renames first, then deletes, then one ingest."""

    ingest: list[str] = []
    renames: list[Rename] = []
    deletes: list[Known] = []
    unchanged: int = 0
    still_failed: int = 0  # files that failed before and have not changed since

    @property
    def empty(self) -> bool:
        return not (self.ingest or self.renames or self.deletes)


class Look(msgspec.Struct):
    """Files found on disk, and the parts of the folder they cover (for the documents)."""

    present: dict[str, FileStat] = {}
    files: list[str] = []  # single paths looked at (a document there is in scope)
    folders: list[str] = []  # folders looked at (every document below is in scope)


def stat_of(path: str) -> FileStat | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return FileStat(st.st_size, st.st_mtime)


def look_at_folder(root: str, *, follow_symlinks: bool = False) -> Look:
    """A full scan: every supported file under root (the ingest walk's rules)."""
    files, _passed_over = walk_paths([root], follow_symlinks=follow_symlinks)
    present = {str(p): st for p in files if (st := stat_of(str(p))) is not None}
    return Look(present=present, folders=[root])


def look_at_paths(paths: Iterable[str], root: str, *, follow_symlinks: bool = False) -> Look:
    """The paths a burst of events named: folders are walked, gone paths cover what was
    below them (a folder moved out of the tree sends one event for all its files)."""
    look = Look()
    for path in sorted(set(paths)):
        if _hidden(path, root):  # .git and the like: a folder walk never goes there either
            continue
        if os.path.isdir(path):
            sub = look_at_folder(path, follow_symlinks=follow_symlinks)
            look.present.update(sub.present)
            look.folders.append(path)
        elif not os.path.lexists(path):
            look.files.append(path)
            look.folders.append(path)
        elif wanted(path, root, follow_symlinks=follow_symlinks):
            look.files.append(path)
            if (st := stat_of(path)) is not None:
                look.present[path] = st
    return look


def _hidden(path: str, root: str) -> bool:
    relative = Path(path).relative_to(root) if Path(path).is_relative_to(root) else Path(path)
    return any(part.startswith(".") for part in relative.parts)


def wanted(path: str, root: str, *, follow_symlinks: bool = False) -> bool:
    """Would a folder walk ingest this file? (supported type, nothing hidden on the way,
    no symlink out of the folder unless ingest.follow_symlinks)."""
    if _hidden(path, root):
        return False
    if Path(path).suffix.lower() not in SUPPORTED_SUFFIXES:
        return False
    if not follow_symlinks and os.path.islink(path):
        try:
            return Path(path).resolve().is_relative_to(root)
        except (OSError, RuntimeError):
            return False
    return os.path.isfile(path)


def diff(
    present: Mapping[str, FileStat],
    known: Mapping[str, Known],
    failures: Mapping[str, FailedFile],
    *,
    sha256: Callable[[str], str] = lambda p: file_sha256(Path(p)),
) -> Plan:
    """The plan that makes the documents in scope (`known`) match the files (`present`)."""
    plan = Plan()
    missing = [doc for path, doc in known.items() if path not in present]
    changed: list[str] = []
    for path, st in present.items():
        doc = known.get(path)
        if doc is not None and (doc.size, doc.mtime) == (st.size, st.mtime):
            plan.unchanged += 1
        elif (failed := failures.get(path)) is not None and (failed.size, failed.mtime) == (
            st.size,
            st.mtime,
        ):
            plan.still_failed += 1
        else:
            changed.append(path)
    by_size: dict[int, list[Known]] = defaultdict(list)
    for doc in missing:
        by_size[doc.size].append(doc)
    renamed: set[int] = set()
    for path in changed:
        st = present[path]
        match = None
        if path not in known and by_size.get(st.size):  # read only when a rename is possible
            try:
                digest = sha256(path)
            except OSError:
                digest = ""
            match = next(
                (d for d in by_size[st.size] if d.sha256 == digest and d.id not in renamed), None
            )
        if match is None:
            plan.ingest.append(path)
            continue
        renamed.add(match.id)
        plan.renames.append(Rename(match.id, match.path, path, st.size, st.mtime))
    plan.deletes = [doc for doc in missing if doc.id not in renamed]
    return plan
