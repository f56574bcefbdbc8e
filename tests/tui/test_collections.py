"""Collections in the TUI: the library grouped by collection, the header's active collection,
ctrl+l to switch it, answers and new documents following it (a real server, fake models)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, OptionList

from tests.tui.conftest import SIZE, connected, wait_for
from tests.tui.screen_text import settled_text
from tests.tui.test_chat import ask
from tests.tui.test_library import open_library
from tui.screens.collections import CollectionsScreen
from tui.widgets.job_card import JobCard
from tui.widgets.path_input import PathInput

ROTOR = "# Rotor blades\n\nThe titanium rotor blade is balanced with lead weights.\n"


@pytest.fixture
def papers_server(server, tmp_path):
    """The fixture server's library ("default": nuts.md, gophers.txt) plus rotor.md in papers."""
    (tmp_path / "rotor.md").write_text(ROTOR)
    assert server.runtime.library.ingest([tmp_path / "rotor.md"], collection="papers").failed == 0
    return server


def rows(table: DataTable) -> list[str]:
    return [str(table.get_row_at(n)[0]) for n in range(table.row_count)]


async def pick(pilot, name: str) -> None:
    await pilot.press("ctrl+l")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CollectionsScreen))
    listing = pilot.app.screen.query_one(OptionList)
    await wait_for(pilot, lambda: listing.option_count > 0)
    ids = [listing.get_option_at_index(n).id for n in range(listing.option_count)]
    assert ids == ["default", "papers", "all"]
    listing.highlighted = ids.index(name)
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.status.collection == name)


async def test_the_library_groups_documents_by_collection(papers_server, make_app):
    app = make_app(papers_server.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 5)
        shown = rows(table)
        assert shown[0].startswith("▾ default · 2 documents")
        assert sorted(shown[1:3]) == ["gophers.txt", "nuts.md"]
        assert shown[3].startswith("▾ papers · 1 document") and shown[4] == "rotor.md"
        table.focus()
        table.move_cursor(row=3)  # a heading is not a document: nothing to delete
        await pilot.press("d")
        assert type(app.screen).__name__ == "LibraryScreen"


async def test_ctrl_l_switches_the_collection_the_chat_answers_from(papers_server, make_app):
    app = make_app(papers_server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        assert "│ in default │" in await settled_text(pilot)
        await pick(pilot, "papers")
        assert "│ in papers │" in (await settled_text(pilot)).splitlines()[0]
        answer = await ask(pilot, "How is the rotor blade balanced?")
        await wait_for(pilot, lambda: answer.phase == "done")
        assert {s.filename for s in answer.sources} == {"rotor.md"}
        assert app.prefs.collection == "papers"  # remembered for the next run
        await pick(pilot, "default")
        answer = await ask(pilot, "How is the rotor blade balanced?")
        await wait_for(pilot, lambda: answer.phase == "done")
        assert "rotor.md" not in {s.filename for s in answer.sources}


async def test_new_documents_join_the_active_collection(papers_server, make_app, tmp_path):
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "fan.md").write_text("# Fans\n\nThe cooling fan spins at two thousand rpm.\n")
    app = make_app(papers_server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pick(pilot, "papers")
        screen = await open_library(pilot)
        path_input = screen.query_one(PathInput)
        path_input.focus()
        path_input.value = str(folder)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.query(JobCard))
        card = screen.query_one(JobCard)
        assert card.title.endswith(" to papers")
        await wait_for(pilot, lambda: card.job is not None and card.job.finished, timeout=30)
        store = papers_server.runtime.store
        assert {d.filename for d in store.list_documents("papers")} == {"rotor.md", "fan.md"}
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: "fan.md" in rows(table))
        assert rows(table).index("fan.md") > rows(table).index("▾ papers · 2 documents")
