"""Discovery over real folders laid out as Ollama, LM Studio and the HF cache keep them."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from localchat.config import ModelSettings, Settings
from localchat.modelfiles import discover
from localchat.modelfiles.ollama_store import ollama_name
from localchat.modelfiles.servers import is_loopback, parse_size_label
from tests.localchat.modelfiles.conftest import add_ollama_model, write_gguf
from tests.localchat.modelfiles.http_fake import serving


def settings_with(settings: Settings, **models) -> Settings:
    return msgspec.structs.replace(
        settings, models=msgspec.structs.replace(ModelSettings(probe_ollama=False), **models)
    )


def by_name(found) -> dict:
    return {m.name: m for m in found.models}


def test_ollama_store_maps_names_to_blobs(settings, home, tmp_path):
    root = home / ".ollama" / "models"
    chat = write_gguf(tmp_path / "src" / "chat.gguf", rows=16)
    embed = write_gguf(tmp_path / "src" / "embed.gguf", arch="bert", chat=False)
    blob = add_ollama_model(root, "qwen2.5:1.5b", chat)
    add_ollama_model(root, "someone/tool:latest", chat)
    add_ollama_model(root, "nomic-embed-text:latest", embed)
    found = discover(settings_with(settings), env={}, home=home, probe_servers=False)
    models = by_name(found)
    qwen = models["qwen2.5:1.5b"]
    assert (qwen.kind, qwen.origin, qwen.path) == ("chat", "ollama", str(blob))
    assert qwen.parameters == 16 * 8 and qwen.size_bytes == blob.stat().st_size
    assert models["someone/tool:latest"].kind == "chat"
    assert models["nomic-embed-text:latest"].kind == "embedding"
    assert found.warnings == []


def test_ollama_models_env_var_moves_the_store(settings, home, tmp_path):
    root = tmp_path / "elsewhere"
    add_ollama_model(root, "llama3.2:1b", write_gguf(tmp_path / "m.gguf"))
    found = discover(
        settings_with(settings), env={"OLLAMA_MODELS": str(root)}, home=home, probe_servers=False
    )
    assert "llama3.2:1b" in by_name(found)


def test_a_missing_blob_or_broken_manifest_is_a_warning_not_a_crash(settings, home, tmp_path):
    root = home / ".ollama" / "models"
    blob = add_ollama_model(root, "gone:1b", write_gguf(tmp_path / "g.gguf"))
    blob.unlink()
    bad = root / "manifests" / "registry.ollama.ai" / "library" / "bad" / "latest"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    add_ollama_model(root, "ok:1b", write_gguf(tmp_path / "ok.gguf"))
    found = discover(settings_with(settings), env={}, home=home, probe_servers=False)
    assert "ok:1b" in by_name(found) and "gone:1b" not in by_name(found)
    assert any("gone:1b" in w and "ollama pull gone:1b" in w for w in found.warnings)
    assert any("bad:latest" in w and "unreadable" in w for w in found.warnings)


def test_lmstudio_and_huggingface_layouts(settings, home, tmp_path):
    write_gguf(home / ".lmstudio" / "models" / "lmstudio-community" / "Qwen-GGUF" / "qwen-q4.gguf")
    write_gguf(home / ".lmstudio" / "models" / "x" / "y" / "mmproj.gguf", arch="clip", chat=False)
    snapshot = tmp_path / "hf" / "hub" / "models--Org--Repo-GGUF" / "snapshots" / "abc"
    write_gguf(snapshot / "repo-q8.gguf")
    write_gguf(snapshot / "big-00002-of-00002.gguf")  # a later part of a split file: skipped
    found = discover(
        settings_with(settings),
        env={"HF_HOME": str(tmp_path / "hf")},
        home=home,
        probe_servers=False,
    )
    models = by_name(found)
    assert models["lmstudio-community/Qwen-GGUF/qwen-q4"].origin == "lmstudio"
    assert models["x/y/mmproj"].kind == "unknown"
    assert models["Org/Repo-GGUF/repo-q8"].origin == "huggingface"
    assert not any("00002-of" in name for name in models)


def test_settings_paths_files_and_folders_and_broken_files(settings, home, tmp_path):
    one = write_gguf(tmp_path / "mine" / "one.gguf")
    write_gguf(tmp_path / "folder" / "two.gguf")
    broken = tmp_path / "folder" / "broken.gguf"
    broken.write_bytes(b"GGUF\x03\x00")
    paths = (str(one), str(tmp_path / "folder"), str(tmp_path / "nowhere"))
    found = discover(
        settings_with(settings, search_paths=paths), env={}, home=home, probe_servers=False
    )
    models = by_name(found)
    assert {"one", "two"} <= set(models) and models["one"].origin == "settings"
    assert any("broken.gguf" in w for w in found.warnings)
    assert any("nowhere" in w and "does not exist" in w for w in found.warnings)


def test_the_same_name_from_two_places_is_kept_twice_under_distinct_names(settings, home, tmp_path):
    write_gguf(tmp_path / "a" / "same.gguf")
    write_gguf(home / ".lmstudio" / "models" / "same.gguf")
    found = discover(
        settings_with(settings, search_paths=(str(tmp_path / "a"),)),
        env={},
        home=home,
        probe_servers=False,
    )
    names = [m.name for m in found.models]
    assert "same" in names and "lmstudio/same" in names


def test_bundled_pair_is_listed(settings, home):
    found = discover(settings_with(settings), env={}, home=home, probe_servers=False)
    bundled = [m for m in found.models if m.bundled]
    if not bundled:
        pytest.skip("bundled model packages are not installed")
    assert {m.kind for m in bundled} == {"chat", "embedding"}


def test_servers_are_probed_over_http(settings, home):
    def answer(method, path, body):
        if path == "/api/tags":
            return 200, {
                "models": [
                    {
                        "name": "qwen2.5:7b",
                        "size": 4_700_000_000,
                        "details": {
                            "family": "qwen2",
                            "parameter_size": "7.6B",
                            "quantization_level": "Q4_K_M",
                        },
                    },
                    {"name": "nomic-embed-text:latest", "details": {"family": "nomic-bert"}},
                ]
            }
        if path == "/v1/models":
            return 200, {
                "object": "list",
                "data": [{"id": "Qwen/Qwen2.5-1.5B-Instruct"}, {"id": "BAAI/bge-small-en"}],
            }
        return 404, {"error": "no"}

    with serving(answer) as base:
        import localchat.modelfiles.servers as servers

        original = servers.OLLAMA_URL
        servers.OLLAMA_URL = base
        try:
            found = discover(
                settings_with(settings, probe_ollama=True, servers=(base, "http://10.1.2.3:8000")),
                env={},
                home=home,
            )
        finally:
            servers.OLLAMA_URL = original
    models = by_name(found)
    qwen = models["qwen2.5:7b"]
    assert (qwen.kind, qwen.url, qwen.parameters) == ("chat", f"{base}/v1", 7_600_000_000)
    assert models["nomic-embed-text:latest"].kind == "embedding"
    assert models["Qwen/Qwen2.5-1.5B-Instruct"].kind == "chat"
    assert models["BAAI/bge-small-en"].kind == "embedding"
    assert any("10.1.2.3" in w and "allow_remote_servers" in w for w in found.warnings)


def test_a_silent_server_is_a_warning(settings, home):
    found = discover(settings_with(settings, servers=("http://127.0.0.1:9",)), env={}, home=home)
    assert any("127.0.0.1:9" in w and "did not answer" in w for w in found.warnings)


def test_names_and_labels():
    root = Path("/m/manifests")
    assert ollama_name(root / "registry.ollama.ai/library/qwen2.5/1.5b", root) == "qwen2.5:1.5b"
    assert ollama_name(root / "registry.ollama.ai/me/x/latest", root) == "me/x:latest"
    assert ollama_name(root / "hf.co/org/repo/q4", root) == "hf.co/org/repo:q4"
    assert parse_size_label("1.5B") == 1_500_000_000 and parse_size_label("?") == 0
    assert is_loopback("http://localhost:1") and is_loopback("http://[::1]:1")
    assert not is_loopback("http://example.com") and not is_loopback("http://10.0.0.1")
