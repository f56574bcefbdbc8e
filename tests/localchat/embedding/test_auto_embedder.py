"""The default embedder: measured once at first start, cached, accurate on the reference texts."""

from __future__ import annotations

import pytest

from localchat.config import ModelSettings, Settings
from localchat.embedding import auto, selection
from localchat.embedding.embedder import open_embedder


def test_first_start_measures_later_starts_reuse_the_verdict(
    tmp_path, minilm_dir, reference, monkeypatch
) -> None:
    pytest.importorskip("onnxruntime")
    settings = Settings(
        data_dir=str(tmp_path / "data"),
        models=ModelSettings(machine_cache_dir=str(tmp_path / "machine")),
    )
    assert auto.cached_choice(settings) is None
    calls = []
    real_choose = selection.choose

    def counting(*args, **kwargs):
        calls.append(1)
        return real_choose(*args, **kwargs)

    monkeypatch.setattr(auto, "choose", counting)
    first = open_embedder(settings)
    choice = auto.cached_choice(settings)
    assert choice is not None and len(calls) == 1
    assert choice.chosen in {m.name for m in choice.measurements if m.accurate}
    # The chosen engine keeps full accuracy against sentence-transformers' vectors.
    texts = [item["text"] for item in reference["items"]]
    vectors = first.embed(texts)
    for item, vector in zip(reference["items"], vectors, strict=True):
        assert float(vector @ item["embedding"]) >= 0.999, (choice.chosen, item["text"][:40])
    first.close()
    second = open_embedder(settings)
    assert len(calls) == 1  # cached: no second measurement
    assert second.model_id == first.model_id
    second.close()


def test_a_named_engine_skips_the_measurement(tmp_path, minilm_dir, monkeypatch) -> None:
    from localchat.config import ModelSettings

    monkeypatch.setattr(auto, "choose", lambda *a, **k: pytest.fail("measured anyway"))
    models = ModelSettings(embedder="llama.cpp f32", machine_cache_dir=str(tmp_path / "machine"))
    settings = Settings(data_dir=str(tmp_path / "data"), models=models)
    with open_embedder(settings) as embedder:
        assert embedder.model_id.startswith("all-MiniLM-L6-v2.f32.")
    assert auto.cached_choice(settings) is None


def test_an_unknown_engine_name_says_which_exist(tmp_path, minilm_dir) -> None:
    from localchat.config import ModelSettings
    from localchat.errors import ConfigError

    settings = Settings(data_dir=str(tmp_path), models=ModelSettings(embedder="torch"))
    with pytest.raises(ConfigError, match="not an engine") as caught:
        open_embedder(settings)
    assert "llama.cpp f32" in caught.value.hint


def test_the_verdict_is_shared_by_every_data_dir(tmp_path, minilm_dir, monkeypatch) -> None:
    """It describes the machine: a second library must not measure again (~15 s at start)."""
    pytest.importorskip("onnxruntime")
    machine = ModelSettings(machine_cache_dir=str(tmp_path / "machine"))
    calls = []
    real_choose = selection.choose
    monkeypatch.setattr(auto, "choose", lambda *a, **k: calls.append(1) or real_choose(*a, **k))
    for name in ("one", "two"):
        embedder = open_embedder(Settings(data_dir=str(tmp_path / name), models=machine))
        embedder.close()
    assert len(calls) == 1
    assert auto.cached_choice(Settings(data_dir=str(tmp_path / "three"), models=machine))
