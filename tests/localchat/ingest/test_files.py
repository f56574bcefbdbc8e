"""Finding files to ingest: folders walked once (symlink loops), hidden and unknown files
skipped inside folders but reported when named, sizes checked against the limit."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from localchat.errors import FileTooLargeError
from localchat.ingest.files import check_file_size, file_sha256, walk_paths


def touch(path: Path, text: str = "words\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_folders_are_walked_sorted_and_what_is_passed_over_is_reported(tmp_path):
    root = tmp_path / "docs"
    b = touch(root / "b.md")
    a = touch(root / "a.txt")
    nested = touch(root / "sub" / "c.pdf", "%PDF-1.4")
    touch(root / ".hidden.md")
    touch(root / ".git" / "notes.md")
    touch(root / "photo.jpeg")
    (root / "dangling.txt").symlink_to(root / "gone.txt")  # not a file: skipped
    files, errors = walk_paths([root, a])  # a named twice: listed once
    assert files == [a.resolve(), b.resolve(), nested.resolve()]
    assert all(e.status == "skipped" for e in errors), "nothing failed"
    skipped = {Path(e.path).name: (e.error_code, e.message) for e in errors}
    assert skipped == {
        ".git": ("hidden_folder", "skipped: hidden folder"),
        ".hidden.md": ("hidden_file", "skipped: hidden file"),
        "photo.jpeg": ("unsupported_file", "skipped: unsupported type .jpeg"),
        "dangling.txt": ("not_a_file", "skipped: not a regular file (a broken link?)"),
    }


def test_licenses_are_reported_as_unsupported_not_dropped(tmp_path):
    licenses = tmp_path / "licenses"
    touch(licenses / "MIT.LICENSE")
    touch(licenses / "readme.md")
    files, errors = walk_paths([licenses])
    assert [f.name for f in files] == ["readme.md"]
    (skip,) = errors
    assert (
        skip.path.endswith("MIT.LICENSE") and skip.message == "skipped: unsupported type .LICENSE"
    )


def test_symlinks_out_of_the_folder_are_skipped_unless_allowed(tmp_path):
    outside = touch(tmp_path / "elsewhere" / "secret.md", "# Secret\n")
    (tmp_path / "elsewhere" / "more").mkdir()
    touch(tmp_path / "elsewhere" / "more" / "deep.md")
    root = tmp_path / "library"
    inside = touch(root / "own.md")
    (root / "link.md").symlink_to(outside)
    (root / "linked-folder").symlink_to(tmp_path / "elsewhere" / "more")
    (root / "alias.md").symlink_to(inside)  # inside the folder: followed
    files, errors = walk_paths([root])
    assert files == [inside.resolve()]
    assert {Path(e.path).name for e in errors} == {"link.md", "linked-folder"}
    assert all(e.error_code == "symlink_outside" for e in errors)
    assert "ingest.follow_symlinks" in errors[0].message and str(root) in errors[0].message
    followed, none = walk_paths([root], follow_symlinks=True)
    assert none == [] and {f.name for f in followed} == {"own.md", "secret.md", "deep.md"}


def test_named_paths_that_cannot_be_ingested_are_reported(tmp_path):
    photo = touch(tmp_path / "photo.jpeg")
    bare = touch(tmp_path / "Makefile")
    files, errors = walk_paths([tmp_path / "absent.md", photo, bare])
    assert files == []
    missing, jpeg, no_suffix = errors
    assert missing.error_code == "file_unreadable" and "does not exist" in missing.message
    assert jpeg.error_code == "unsupported_file" and "unsupported file type .jpeg" in jpeg.message
    assert ".md" in jpeg.message  # the hint lists what is supported
    assert "unsupported file type (none)" in no_suffix.message


def test_a_symlink_loop_visits_each_folder_once(tmp_path):
    root = tmp_path / "docs"
    doc = touch(root / "inner" / "doc.md")
    (root / "inner" / "back").symlink_to(root)  # docs/inner/back -> docs
    files, errors = walk_paths([root])
    assert files == [doc.resolve()] and errors == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_folder_is_reported_and_the_rest_walked(tmp_path):
    root = tmp_path / "docs"
    doc = touch(root / "ok.md")
    locked = root / "locked"
    touch(locked / "secret.md")
    locked.chmod(0)
    try:
        files, errors = walk_paths([root])
    finally:
        locked.chmod(0o755)
    assert files == [doc.resolve()]
    assert [Path(e.path).name for e in errors] == ["locked"]


def test_file_hash_is_the_sha256_of_its_bytes(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)  # several read blocks
    path = tmp_path / "blob.txt"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_size_check_names_size_limit_and_setting():
    check_file_size(Path("ok.txt"), 1000, 1000)  # at the limit is fine
    with pytest.raises(FileTooLargeError) as caught:
        check_file_size(Path("big.log"), 3 * (1 << 20), 2 * (1 << 20))
    error = caught.value
    assert error.code == "file_too_large" and error.status == 413
    assert (
        error.message == "big.log is 3.0 MiB (3145728 bytes), over the 2.0 MiB limit for one file"
    )
    assert "ingest.max_file_bytes (now 2097152" in error.hint
    assert "LOCALCHAT_INGEST_MAX_FILE_BYTES" in error.hint
