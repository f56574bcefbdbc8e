"""The MCP tools scoped to collections, on a real Runtime (hash embedder, scripted model)."""

from __future__ import annotations

import msgspec
import pytest

from localchat.chat.service import ChatService
from localchat.errors import CollectionNotFoundError
from localchat.jobs.manager import JobManager
from localchat.mcp.tools import LibraryTools
from tests.server.harness import fake_runtime


@pytest.fixture
def tools(settings, tmp_path):
    root = tmp_path / "root"
    (root / "home").mkdir(parents=True)
    (root / "work").mkdir()
    (root / "home" / "nuts.md").write_text("The Boots self-locking nut holds tight.\n")
    (root / "work" / "pumps.txt").write_text("Hydraulic pumps need new seals every year.\n")
    settings = msgspec.structs.replace(
        settings,
        server=msgspec.structs.replace(settings.server, allowed_roots=(str(root),)),
        mcp=msgspec.structs.replace(settings.mcp, allow_ingest=True),
    )
    runtime = fake_runtime(settings)
    assert runtime.library.ingest([root / "home"]).failed == 0
    jobs = JobManager(runtime)
    yield LibraryTools(runtime, ChatService(runtime), jobs, settings), root
    jobs.close()
    runtime.close()


def files(result) -> set[str]:
    return {r["filename"] for r in result["results"]}


def test_ingest_search_and_list_by_collection(tools):
    tools, root = tools
    added = tools.ingest_paths([str(root / "work")], collection="work")
    assert added["status"] == "done" and added["added"] == 1 and added["collection"] == "work"
    assert files(tools.search_documents("hydraulic pumps seals")) <= {"nuts.md"}
    scoped = tools.search_documents("hydraulic pumps seals", collection="work")
    assert scoped["collection"] == "work" and files(scoped) == {"pumps.txt"}
    assert "pumps.txt" in files(tools.search_documents("pumps seals", collection="all"))
    listed = tools.list_documents()
    assert listed["collections"] == ["default", "work"]
    assert {d["filename"]: d["collections"] for d in listed["documents"]} == {
        "nuts.md": ["default"],
        "pumps.txt": ["work"],
    }
    assert [d["filename"] for d in tools.list_documents("work")["documents"]] == ["pumps.txt"]


def test_ask_answers_from_the_named_collection(tools):
    tools, root = tools
    tools.ingest_paths([str(root / "work")], collection="work")
    answer = tools.ask("How often do hydraulic pumps need seals?", collection="work")
    assert answer["collection"] == "work"
    assert {s["filename"] for s in answer["sources"]} == {"pumps.txt"}


def test_an_unknown_collection_names_the_ones_there_are(tools):
    tools, _ = tools
    with pytest.raises(CollectionNotFoundError) as caught:
        tools.search_documents("x", collection="papers")
    assert "default" in caught.value.hint and "localchat collections" in caught.value.hint
