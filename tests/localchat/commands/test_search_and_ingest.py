"""`localchat ingest` and `localchat search`: reports, exit codes, explain output, JSON."""

from __future__ import annotations

import argparse
import json

import pytest

from localchat.commands import ingest as ingest_command
from localchat.commands import search as search_command
from localchat.embedding.embedder import HashEmbedder
from localchat.resources import Resources

NUTS = "# Nuts\n\nThe Boots self-locking nut holds tight despite vibration.\n"
PUMPS = "Hydraulic pumps need their seals replaced every ten thousand hours.\n"


@pytest.fixture
def fast_runtime(monkeypatch):
    """The commands open their own Resources: with the hash embedder here, parsing in-process."""
    original = Resources.open.__func__

    def open_fast(cls, settings, **_kwargs):
        return original(cls, settings, embedder=HashEmbedder(), isolate_parsing=False)

    monkeypatch.setattr(Resources, "open", classmethod(open_fast))


def ingest_args(*paths, json_out=False, collection="default") -> argparse.Namespace:
    return argparse.Namespace(paths=[str(p) for p in paths], json=json_out, collection=collection)


def search_args(query: str, **kw) -> argparse.Namespace:
    return argparse.Namespace(
        **(
            {"query": query, "preset": None, "mode": "hybrid", "json": False, "explain": False}
            | {"collection": None}
            | kw
        )
    )


def library(tmp_path, files: dict[str, str]):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_ingest_reports_added_files_and_exits_zero(tmp_path, settings, capsys, fast_runtime):
    docs = library(tmp_path, {"nuts.md": NUTS, "pumps.txt": PUMPS})
    assert ingest_command.main(ingest_args(docs), settings) == 0
    err = capsys.readouterr().err
    assert "2 files: 2 added, 0 replaced, 0 unchanged, 0 failed" in err
    assert "tokens/s" in err
    # Same files again: nothing to do, still success.
    assert ingest_command.main(ingest_args(docs, json_out=True), settings) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["unchanged"], report["added"], report["failed"]) == (2, 0, 0)


def test_ingest_failure_is_listed_and_exits_one(tmp_path, settings, capsys, fast_runtime):
    docs = library(tmp_path, {"nuts.md": NUTS})
    (docs / "blob.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    code = ingest_command.main(ingest_args(docs), settings)
    assert code == 1
    err = capsys.readouterr().err
    assert "failed" in err and "blob.txt looks binary" in err
    assert "1 added" in err and "1 failed" in err


def test_search_table_and_explain_show_scores(
    tmp_path, settings, capsys, fast_runtime, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "300")  # one table row per line
    # Twelve files that all mention the nut: the preset "fast" keeps its top 10.
    files = {f"nut{n:02}.md": f"# Nut {n}\n\nThe self-locking nut number {n}.\n" for n in range(12)}
    ingest_command.main(ingest_args(library(tmp_path, files)), settings)
    capsys.readouterr()
    assert search_command.main(search_args("self-locking nut vibration"), settings) == 0
    out = capsys.readouterr().out
    assert "hits for self-locking nut vibration" in out
    assert "12 hits" in out and "nut0" in out and "terms: self, locking, nut" in out
    assert "dropped" not in out
    explained = search_args("self-locking nut vibration", explain=True, preset="fast")
    assert search_command.main(explained, settings) == 0
    out = capsys.readouterr().out
    assert "10 hits" in out
    dropped = [line for line in out.splitlines() if "(dropped: beyond top_k 10)" in line]
    assert len(dropped) == 2  # the two cut, each with why


def test_search_json_and_no_hits(tmp_path, settings, capsys, fast_runtime):
    ingest_command.main(ingest_args(library(tmp_path, {"nuts.md": NUTS})), settings)
    capsys.readouterr()
    assert search_command.main(search_args("Boots nut", json=True, mode="bm25"), settings) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["mode"] == "bm25" and result["hits"][0]["filename"] == "nuts.md"
    assert search_command.main(search_args("zebra xylophone", mode="bm25"), settings) == 0
    assert "No passage passed the cut" in capsys.readouterr().out


def test_search_at_80_columns_keeps_scores_whole_and_passages_unsqueezed(
    tmp_path, settings, capsys, fast_runtime, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "80")
    text = "The Boots self-locking nut holds tight despite severe vibration in engines."
    files = {"a-rather-long-file-name-for-the-nut-handbook.md": f"# Nut\n\n{text}\n"}
    ingest_command.main(ingest_args(library(tmp_path, files)), settings)
    capsys.readouterr()
    assert search_command.main(search_args("self-locking nut vibration"), settings) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    header = next(line for line in lines if "relevance" in line and "rrf" in line)
    assert "fused" not in header  # the scaled score is not called "fused"
    row = next(line for line in lines if "nut-hand" in line or "a-rather" in line)
    relevance, rrf = float(row.split()[-1]), float(row.split()[-2])
    assert relevance == 1.0 and 0 < rrf < 0.1  # scaled vs raw reciprocal-rank score
    assert any(text[:60] in line for line in lines)  # the passage on its own full-width line
