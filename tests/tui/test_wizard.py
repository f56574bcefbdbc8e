"""The first-run wizard: models found, add documents with progress, first question asked."""

from __future__ import annotations

from textual.widgets import Input, Static

from tests.tui.conftest import SIZE, add_path, wait_for, wizard_pages
from tui.screens.chat import ChatScreen
from tui.widgets.job_card import JobCard
from tui.widgets.messages import AnswerMessage
from tui.widgets.path_input import PathInput


async def test_wizard_walks_from_welcome_to_a_first_answer(empty_server, make_app, docs):
    app = make_app(empty_server.url)
    async with app.run_test(size=SIZE) as pilot:
        wizard, pages = await wizard_pages(pilot)
        await pilot.pause(0.3)
        await pilot.click("#next")
        await wait_for(pilot, lambda: pages.current == "models")
        models = wizard.query_one("#models-found", Static)
        await wait_for(pilot, lambda: "scripted" in str(models.render()))
        assert "✓" in str(models.render())
        await pilot.pause(0.3)  # a button ignores presses during its 0.2 s press effect
        await pilot.press("enter")  # Next has the focus: the keyboard way through the wizard
        await wait_for(pilot, lambda: pages.current == "documents")

        job = await add_path(pilot, wizard, docs[0].parent)
        assert job.added == 2
        await wait_for(pilot, lambda: wizard.ingested and app.status.documents == 2)

        await pilot.pause(0.3)
        await pilot.click("#next")
        await wait_for(pilot, lambda: pages.current == "question")
        field = wizard.query_one("#first-question", Input)
        field.value = "What holds tight despite vibration?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: app.screen.query(AnswerMessage))
        answer = app.screen.query_one(AnswerMessage)
        await wait_for(pilot, lambda: answer.phase == "done")
        assert answer.sources and answer.sources[0].filename == "nuts.md"
        assert app.prefs.onboarded


async def test_an_empty_library_gets_a_reminder_not_a_wall(empty_server, make_app):
    app = make_app(empty_server.url)
    async with app.run_test(size=SIZE) as pilot:
        wizard, pages = await wizard_pages(pilot)
        wizard._go(2)
        assert pages.current == "documents"
        wizard.query_one("#next").press()
        await wait_for(pilot, lambda: wizard._warned_empty)
        assert pages.current == "documents"  # reminded that answers need documents
        assert any("still empty" in str(n.message) for n in app._notifications)
        await pilot.pause(0.3)  # past the button's press effect
        wizard.query_one("#next").press()
        await wait_for(pilot, lambda: pages.current == "question")


async def test_documents_step_takes_a_typed_path_and_enter_adds_it(empty_server, make_app, docs):
    app = make_app(empty_server.url)
    async with app.run_test(size=SIZE) as pilot:
        wizard, _ = await wizard_pages(pilot)
        wizard._go(2)
        await pilot.pause()
        path_input = wizard.query_one(PathInput)
        assert app.focused is path_input  # not "Add the sample docs": typing lands here
        wizard.query_one("#browse").focus()  # even from a button, typing goes to the path box
        await pilot.press(*docs[0].parent.as_posix())
        assert app.focused is path_input and path_input.value == docs[0].parent.as_posix()
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.query(JobCard))
        card = wizard.query_one(JobCard)
        await wait_for(pilot, lambda: card.job is not None and card.job.finished, timeout=30)
        assert card.title == f"Adding {docs[0].parent.name}"  # what was typed, not the sample
        assert card.job.added == 2 and not wizard._used_sample


async def test_documents_step_fits_80_columns(empty_server, make_app):
    from tests.tui.screen_text import settled_text

    app = make_app(empty_server.url)
    async with app.run_test(size=SIZE) as pilot:
        wizard, _ = await wizard_pages(pilot)
        wizard._go(2)
        text = await settled_text(pilot)
        assert "Add the sample docs" in text and "Browse…" in text
        assert all(f"f{n} " in text.splitlines()[-1] for n in range(1, 5))
