"""Two processes on one library: the one that did not write catches its index up from SQLite,
and never overwrites the other's newer index file with fewer vectors."""

from __future__ import annotations

import json
from pathlib import Path

from localchat.embedding.embedder import HashEmbedder
from localchat.resources import Resources


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def open_runtime(settings) -> Resources:
    return Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)


def file_count(runtime: Resources) -> int:
    return json.loads(runtime.index_file.with_suffix(".json").read_text())["count"]


def test_the_other_process_catches_up_adds_and_removals(settings, tmp_path):
    server, cli = open_runtime(settings), open_runtime(settings)
    try:
        one = write(tmp_path / "docs", "one.md", "# One\n\nWashers spread the load of a bolt.\n")
        assert server.library.sync_index() == (0, 0), "nothing changed yet"
        cli.library.ingest([one])
        expected = server.store.key_stats(server.embedder.model_id)[0]
        assert expected > 0 and len(server.index) == 0
        added, removed = server.library.sync_index()
        assert (added, removed) == (expected, 0) and len(server.index) == expected
        keys = sorted(server.index.keys().tolist())
        assert keys == sorted(cli.index.keys().tolist())
        hits = server.search("washers spread the load", mode="vector").hits
        assert hits and hits[0].filename == "one.md"
        (doc,) = cli.store.list_documents()
        cli.library.delete(doc.id)
        assert server.library.sync_index() == (0, expected) and len(server.index) == 0
    finally:
        server.close()
        cli.close()


def test_a_newer_index_file_with_more_vectors_is_not_overwritten(settings, tmp_path):
    server, cli = open_runtime(settings), open_runtime(settings)
    try:
        first = write(tmp_path / "a", "first.md", "# First\n\nRivets join aircraft skins.\n")
        cli.library.ingest([first])
        written = file_count(cli)
        assert written > 0 and len(server.index) == 0
        server.index.save(server.index_file)  # stale and smaller: refused
        assert file_count(cli) == written, "the CLI's newer file was kept"
        server.library.sync_index()  # caught up from SQLite, then saved
        assert file_count(server) == written == len(server.index)
        cli.store.delete_document(cli.store.list_documents()[0].id)
        server.library.sync_index()  # fewer vectors, but the file is now the server's own: replaced
        assert file_count(server) == 0
    finally:
        server.close()
        cli.close()
