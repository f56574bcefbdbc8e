"""Library against a real server: list, add with progress, per-file errors, delete, re-ingest."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.tui.conftest import SIZE, add_path, connected, wait_for
from tui.screens.dialogs import ConfirmScreen
from tui.screens.library import LibraryScreen
from tui.widgets.job_card import JobCard
from tui.widgets.path_input import PathInput, complete_path


async def open_library(pilot) -> LibraryScreen:
    await connected(pilot)
    await pilot.press("f3")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, LibraryScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.query_one(DataTable).row_count > 0)
    return screen


def names(screen: LibraryScreen) -> list[str]:
    return [doc.filename for doc in screen.documents]


async def test_lists_documents_with_pages_chunks_and_status(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot)
        assert sorted(names(screen)) == ["gophers.txt", "nuts.md"]
        table = screen.query_one(DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[0] in ("gophers.txt", "nuts.md") and int(row[2]) >= 1


async def test_adding_a_folder_shows_progress_and_per_file_errors(server, make_app, tmp_path):
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "rivets.md").write_text("# Rivets\n\nSolid shank rivets join sheet metal.\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot)
        job = await add_path(pilot, screen, folder)
        card = screen.query_one(JobCard)
        assert job.files_total == 2 and job.files_done == 2
        assert job.added == 1 and job.failed == 1
        assert job.errors[0].path.endswith("broken.pdf") and job.errors[0].message
        errors = str(card.query_one(".job-errors").render())
        assert "broken.pdf" in errors
        await wait_for(pilot, lambda: "rivets.md" in names(screen))


async def test_delete_asks_first_and_cancel_keeps_the_document(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot)
        screen.query_one(DataTable).focus()
        victim = screen.documents[0].filename
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert victim in names(screen)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: victim not in names(screen))
        assert app.status.documents == 1
        assert len(server.runtime.store.list_documents()) == 1


async def test_reingest_reads_the_file_again(server, make_app, docs):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot)
        table = screen.query_one(DataTable)
        table.focus()
        row = names(screen).index("nuts.md")
        table.move_cursor(row=row)
        docs[0].write_text("# Nuts\n\nA changed text about castle nuts and cotter pins.\n")
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.query(JobCard))
        card = screen.query_one(JobCard)
        await wait_for(pilot, lambda: card.job is not None and card.job.finished, timeout=30)
        # Read again (as a path where the server allows it, else as an upload that replaces
        # the old document): still one nuts.md, now with the new text.
        assert card.job.added + card.job.replaced == 1
        store = server.runtime.store

        def nuts():
            return [d for d in store.list_documents() if d.filename == "nuts.md"]

        def reread() -> bool:
            docs_now = nuts()
            text = store.document_chunks(docs_now[0].id)[0].text if len(docs_now) == 1 else ""
            return "castle nuts" in text

        await wait_for(pilot, reread)
        await wait_for(pilot, lambda: sorted(names(screen)) == ["gophers.txt", "nuts.md"])


def test_path_completion(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "readme.md").write_text("x")
    (tmp_path / ".hidden").write_text("x")
    assert complete_path(str(tmp_path / "rep")) == str(tmp_path / "reports") + "/"
    assert complete_path(str(tmp_path / "rea")) == str(tmp_path / "readme.md")
    assert complete_path(str(tmp_path / ".h")) == str(tmp_path / ".hidden")
    assert complete_path(str(tmp_path / "zzz")) is None
    assert complete_path(str(tmp_path / "nope" / "x")) is None


async def test_an_empty_library_offers_localchats_docs(empty_server, make_app):
    from tui.ingest import sample_docs_dir

    if sample_docs_dir() is None:
        pytest.skip("docs/ is not in this checkout")
    app = make_app(empty_server.url)
    app.prefs.onboarded = True
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.query("#sample"))
        await pilot.click("#sample")
        await wait_for(pilot, lambda: screen.query(JobCard))
        card = screen.query_one(JobCard)
        await wait_for(pilot, lambda: card.job is not None and card.job.finished, timeout=60)
        assert card.job.failed == 0 and card.job.added >= 5
        await wait_for(pilot, lambda: "tui.md" in names(screen))


async def test_browse_picks_a_folder_from_the_tree(server, make_app, tmp_path):
    from textual.widgets import DirectoryTree

    from tui.screens.picker import PickerScreen

    folder = tmp_path / "picked"
    folder.mkdir()
    (folder / "washers.md").write_text("# Washers\n\nLock washers resist loosening.\n")
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_library(pilot)
        screen.query_one(PathInput).value = str(folder)  # the tree opens where the path points
        await pilot.click("#browse")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        await wait_for(pilot, lambda: picker.query(DirectoryTree))
        assert picker.start == folder
        await pilot.press("space")
        await wait_for(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await wait_for(pilot, lambda: "washers.md" in names(screen), timeout=30)


LONG_NAMES = (
    "faa-amt_handbook_sample_chapter_03_fuel.md",
    "faa-amt_handbook_sample_chapter_07_tools.md",
)


@pytest.fixture
def long_named_server(settings, generator, tmp_path):
    from tests.tui.conftest import _serve

    folder = tmp_path / "handbook"
    folder.mkdir()
    for name in LONG_NAMES:
        (folder / name).write_text(f"# {name}\n\nA chapter about {name[-7:-3]}.\n")
    yield from _serve(settings, generator, sorted(folder.iterdir()))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_long_names_stay_distinct_in_the_list(long_named_server, make_app, size):
    from tests.tui.screen_text import settled_text

    app = make_app(long_named_server.url)
    async with app.run_test(size=size) as pilot:
        screen = await open_library(pilot)
        shown = [str(screen.query_one(DataTable).get_row_at(n)[0]) for n in range(2)]
        assert len(set(shown)) == 2, shown  # the two files never look the same
        text = await settled_text(pilot)
        for name in shown:
            assert name in text  # and the cell is not cut further by the table
        if size[0] >= 120:
            assert sorted(shown) == sorted(LONG_NAMES)  # room enough for the whole name
        else:
            assert {name[-7:] for name in shown} == {"fuel.md", "ools.md"}


def test_fit_name_keeps_start_and_end():
    from tui.screens.library_table import fit_name

    assert fit_name("short.md", 20) == "short.md"
    fitted = fit_name("a-very-long-report-name-2024.pdf", 20)
    assert len(fitted) == 20 and fitted.endswith("2024.pdf") and fitted.startswith("a-very")
