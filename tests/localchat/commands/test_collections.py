"""`localchat collections` and `--collection` on ingest and search, through the real parser."""

from __future__ import annotations

import json

import pytest

from localchat.cli import build_parser
from localchat.commands import collections as collections_command
from localchat.commands import run
from tests.localchat.commands.test_search_and_ingest import NUTS, PUMPS, fast_runtime, library

__all__ = ["fast_runtime"]  # the fixture, used by name


def cli(settings, capsys, *argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(list(argv))
    code = run(args.command, args, settings)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two_collections(tmp_path, settings, capsys, fast_runtime):
    docs = library(tmp_path, {"nuts.md": NUTS})
    work = tmp_path / "work"
    work.mkdir()
    (work / "pumps.txt").write_text(PUMPS)
    assert cli(settings, capsys, "ingest", str(docs))[0] == 0
    assert cli(settings, capsys, "ingest", "--collection", "Work", str(work))[0] == 0
    return docs, work


def test_list_shows_counts_and_model_names(settings, capsys, two_collections, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = cli(settings, capsys, "collections")
    assert code == 0
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert rows["default"][:1] == ["1"] and rows["default"][-1] == "localchat"
    assert rows["work"][:1] == ["1"] and rows["work"][-1] == "localchat/work"
    assert rows["all"][:1] == ["2"]
    code, out, _ = cli(settings, capsys, "collections", "--json")
    listed = json.loads(out)
    assert [(c["name"], c["documents"]) for c in listed["collections"]] == [
        ("default", 1),
        ("work", 1),
    ]
    assert listed["all"]["documents"] == 2


def test_search_is_scoped_by_collection(settings, capsys, two_collections):
    code, out, _ = cli(settings, capsys, "search", "hydraulic pumps seals", "--json")
    assert code == 0 and "pumps.txt" not in {h["filename"] for h in json.loads(out)["hits"]}
    code, out, _ = cli(
        settings, capsys, "search", "hydraulic pumps seals", "--json", "--collection", "work"
    )
    result = json.loads(out)
    assert result["collection"] == "work"
    assert {h["filename"] for h in result["hits"]} == {"pumps.txt"}
    code, out, _ = cli(settings, capsys, "search", "seals", "--collection", "all", "--json")
    assert {h["filename"] for h in json.loads(out)["hits"]} == {"pumps.txt"}


def test_create_rename_and_refusals(settings, capsys, two_collections):
    assert cli(settings, capsys, "collections", "create", "papers")[0] == 0
    code, out, _ = cli(settings, capsys, "collections", "--json", "rename", "papers", "articles")
    assert code == 0 and json.loads(out)["name"] == "articles"
    with pytest.raises(Exception, match="already exists"):
        cli(settings, capsys, "collections", "create", "Articles")
    with pytest.raises(Exception, match="cannot be deleted"):
        cli(settings, capsys, "collections", "delete", "default", "--yes")


def test_delete_needs_yes_and_keeps_documents_of_other_collections(
    settings, capsys, two_collections, monkeypatch
):
    docs, _ = two_collections
    # nuts.md also joins "work": it must survive the delete; pumps.txt must not.
    assert cli(settings, capsys, "ingest", "--collection", "work", str(docs))[0] == 0
    monkeypatch.setattr(collections_command.sys.stdin, "isatty", lambda: False)
    with pytest.raises(Exception, match="without a yes") as refused:
        cli(settings, capsys, "collections", "delete", "work")
    assert "1 documents that belong to no other collection" in refused.value.hint
    code, out, _ = cli(settings, capsys, "collections", "delete", "work", "--yes", "--json")
    assert code == 0 and json.loads(out)["chunks_removed"] == 1
    code, out, _ = cli(settings, capsys, "collections", "--json")
    listed = json.loads(out)
    assert [c["name"] for c in listed["collections"]] == ["default"]
    assert listed["all"]["documents"] == 1
    code, out, _ = cli(
        settings, capsys, "search", "hydraulic seals", "--collection", "all", "--json"
    )
    assert "pumps.txt" not in {h["filename"] for h in json.loads(out)["hits"]}


def test_a_terminal_answer_of_yes_deletes(settings, capsys, two_collections, monkeypatch):
    monkeypatch.setattr(collections_command.sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert cli(settings, capsys, "collections", "delete", "work")[0] == 0
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert cli(settings, capsys, "collections", "create", "tmp")[0] == 0
    with pytest.raises(Exception, match="without a yes"):
        cli(settings, capsys, "collections", "delete", "tmp")
