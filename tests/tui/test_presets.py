"""Presets against a real server: choose, validate, apply, and watch the re-index."""

from __future__ import annotations

from textual.widgets import Input, RadioButton, Static

from tests.tui.conftest import SIZE, connected, wait_for
from tui.screens.compare import CompareScreen
from tui.screens.presets import PresetsScreen
from tui.widgets.job_card import JobCard


async def open_presets(pilot) -> PresetsScreen:
    await connected(pilot)
    await pilot.press("f4")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PresetsScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.current is not None)
    return screen


async def test_shows_the_active_configuration(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_presets(pilot)
        assert screen.query_one("#preset-balanced", RadioButton).value
        assert screen.query_one("#chunk_size", Input).value == "1024"
        assert screen.query_one("#top_k", Input).value == "20"


async def test_invalid_value_is_explained_and_nothing_changes(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_presets(pilot)
        screen.query_one("#top_k", Input).value = "0"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "top_k" in str(screen.query_one("#preset-message").render()))
        assert server.runtime.rag_config().top_k == 20
        screen.query_one("#top_k", Input).value = "20"
        screen.query_one("#chunk_overlap", Input).value = "900"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "half" in str(screen.query_one("#preset-message").render()))
        assert server.runtime.rag_config().chunk_overlap == 200


async def test_query_time_change_applies_without_reindex(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_presets(pilot)
        screen.query_one("#top_k", Input).value = "5"
        await pilot.press("ctrl+s")
        message = screen.query_one("#preset-message", Static)
        await wait_for(pilot, lambda: "Applied" in str(message.render()))
        assert "no re-index" in str(message.render())
        assert server.runtime.rag_config().top_k == 5
        assert not screen.query(JobCard)


async def test_switching_preset_reindexes_with_progress(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_presets(pilot)
        await pilot.click("#preset-fast")
        assert screen.query_one("#chunk_size", Input).value == "512"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.query(JobCard), timeout=15)
        card = screen.query_one(JobCard)
        await wait_for(pilot, lambda: card.job is not None and card.job.finished, timeout=30)
        assert card.job.status == "done" and card.job.kind == "rechunk"
        assert server.runtime.rag_config().preset == "fast"
        assert app.status.preset == "fast"


async def test_compare_two_presets_side_by_side(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_presets(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen))
        # No word of this question is in any document (BM25 finds nothing), so nuts.md is a
        # vector-only hit; the hashing embedder gives it cosine 0.247: accurate keeps vector
        # hits down to 0.22, fast only from 0.35 — the difference the screen is for.
        app.screen.query_one("#compare-question", Input).value = "lockingx severex stopx"
        await pilot.press("enter")
        left = app.screen.query_one("#compare-left-hits", Static)
        right = app.screen.query_one("#compare-right-hits", Static)
        await wait_for(pilot, lambda: "nuts.md" in str(right.render()))
        assert "No passage passed" in str(left.render())


async def test_compare_says_when_it_compares_one_chunk_layout(server, make_app):
    from tui.screens.compare import CompareScreen

    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_presets(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen))
        compare = app.screen
        compare.query_one("#compare-question", Input).value = "Boots nut vibration"
        await pilot.press("enter")
        note = compare.query_one("#compare-note", Static)
        await wait_for(pilot, lambda: "one chunk layout" in str(note.render()))
        assert "chunk_size 1024" in str(note.render()) and note.display
        assert "only top_k and min_similarity differ" in str(note.render())
