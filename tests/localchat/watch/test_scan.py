"""diff: stat-unchanged files are not read; renames are matched by content hash."""

from __future__ import annotations

from localchat.watch.scan import FileStat, Known, diff, look_at_paths, wanted
from localchat.watch.state import FailedFile


def known(doc_id: int, path: str, sha: str, size: int = 10, mtime: float = 1.0) -> Known:
    return Known(doc_id, path, sha, size, mtime)


def test_unchanged_changed_new_and_gone():
    present = {"/w/same.md": FileStat(10, 1.0), "/w/edited.md": FileStat(11, 2.0)}
    present["/w/new.md"] = FileStat(99, 3.0)
    docs = {
        "/w/same.md": known(1, "/w/same.md", "a"),
        "/w/edited.md": known(2, "/w/edited.md", "b"),
        "/w/gone.md": known(3, "/w/gone.md", "c"),
    }
    read = []
    plan = diff(present, docs, {}, sha256=lambda p: read.append(p) or "x")
    assert plan.unchanged == 1
    assert sorted(plan.ingest) == ["/w/edited.md", "/w/new.md"]
    assert [d.id for d in plan.deletes] == [3] and plan.renames == []
    assert read == []  # no vanished document has new.md's size: nothing to hash


def test_a_new_file_with_a_vanished_documents_bytes_is_a_rename():
    present = {"/w/b.md": FileStat(10, 5.0), "/w/other.md": FileStat(10, 6.0)}
    docs = {"/w/a.md": known(7, "/w/a.md", "sha-a")}
    hashes = {"/w/b.md": "sha-a", "/w/other.md": "sha-other"}
    plan = diff(present, docs, {}, sha256=hashes.__getitem__)
    assert [(r.document_id, r.old_path, r.new_path) for r in plan.renames] == [
        (7, "/w/a.md", "/w/b.md")
    ]
    assert plan.renames[0].mtime == 5.0
    assert plan.ingest == ["/w/other.md"] and plan.deletes == []


def test_one_document_is_renamed_once_when_two_copies_appear():
    present = {"/w/b.md": FileStat(10, 5.0), "/w/c.md": FileStat(10, 5.0)}
    docs = {"/w/a.md": known(7, "/w/a.md", "s")}
    plan = diff(present, docs, {}, sha256=lambda p: "s")
    assert len(plan.renames) == 1 and len(plan.ingest) == 1


def test_a_failed_file_is_retried_only_once_it_changes():
    failed = {"/w/bad.pdf": FailedFile("/w/bad.pdf", "/w", 5, 1.0, "corrupt_file", "broken")}
    same = diff({"/w/bad.pdf": FileStat(5, 1.0)}, {}, failed)
    assert same.ingest == [] and same.still_failed == 1
    changed = diff({"/w/bad.pdf": FileStat(6, 2.0)}, {}, failed)
    assert changed.ingest == ["/w/bad.pdf"]


def test_wanted_follows_the_folder_walk_rules(tmp_path):
    (tmp_path / ".hidden").mkdir()
    for name in ("a.md", ".dot.md", ".hidden/x.md", "b.exe"):
        (tmp_path / name).write_text("x")
    root = str(tmp_path)
    assert wanted(str(tmp_path / "a.md"), root)
    assert not wanted(str(tmp_path / ".dot.md"), root)
    assert not wanted(str(tmp_path / ".hidden" / "x.md"), root)
    assert not wanted(str(tmp_path / "b.exe"), root)


def test_look_at_paths_walks_new_folders_and_covers_gone_ones(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("hello")
    look = look_at_paths([str(tmp_path / "sub"), str(tmp_path / "gone")], str(tmp_path))
    assert list(look.present) == [str(tmp_path / "sub" / "a.md")]
    assert str(tmp_path / "gone") in look.folders and str(tmp_path / "sub") in look.folders


def test_events_inside_hidden_folders_are_ignored(tmp_path):
    (tmp_path / ".git" / "objects").mkdir(parents=True)
    (tmp_path / ".git" / "objects" / "notes.md").write_text("not a document")
    look = look_at_paths([str(tmp_path / ".git" / "objects")], str(tmp_path))
    assert look.present == {} and look.folders == [] and look.files == []
