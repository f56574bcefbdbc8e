"""The AMX guard: extra weight buffers are off only on an AMX CPU that no probe cleared."""

from __future__ import annotations

from pathlib import Path

import llama_cpp
import llama_cpp.llama_cpp as low
import pytest

from localchat.generation import llama_loader


@pytest.fixture
def seen(monkeypatch) -> list[bool]:
    """What `use_extra_bufts` the model load would get (Llama() reads the default params)."""
    loads: list[bool] = []

    def fake_llama(model_path: str, **kwargs):
        loads.append(bool(low.llama_model_default_params().use_extra_bufts))
        return object()

    monkeypatch.setattr(llama_cpp, "Llama", fake_llama)
    return loads


@pytest.mark.parametrize(
    ("reports_amx", "probed_safe", "extra"),
    [(False, False, True), (True, False, False), (True, True, True), (False, True, True)],
)
def test_extra_buffers_are_off_only_for_an_unprobed_amx_cpu(
    monkeypatch, seen, reports_amx, probed_safe, extra
):
    monkeypatch.setattr(llama_loader, "cpu_reports_amx", lambda: reports_amx)
    llama_loader.open_llama(Path("model.gguf"), extra_buffers=probed_safe, n_ctx=64)
    assert seen == [extra]
    # The wrap is undone: the next load elsewhere sees llama.cpp's own default again.
    assert low.llama_model_default_params().use_extra_bufts is True
