"""Changing one key of the settings file keeps every other line, comment and value."""

from __future__ import annotations

import tomllib

import pytest

from localchat.config import load_settings
from localchat.config_file import config_path, default_config_path, set_value
from localchat.errors import ConfigError

ORIGINAL = """# my settings
data_dir = "/data"  # where it lives

[rag]
preset = "fast"

[models]
# answer with Qwen
threads = 2
"""


def test_set_value_changes_only_its_key(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(ORIGINAL)
    set_value(path, "models", "chat_model", "qwen2.5:1.5b")
    text = path.read_text()
    assert text.startswith(ORIGINAL.rstrip("\n"))  # everything before stays byte for byte
    parsed = tomllib.loads(text)
    assert parsed["models"] == {"threads": 2, "chat_model": "qwen2.5:1.5b"}
    set_value(path, "models", "chat_model", "llama3.2:1b")
    assert tomllib.loads(path.read_text())["models"]["chat_model"] == "llama3.2:1b"
    assert "# answer with Qwen" in path.read_text()
    settings = load_settings(path, data_dir=tmp_path, environ={})
    assert settings.models.chat_model == "llama3.2:1b" and settings.rag.preset == "fast"


def test_set_value_creates_the_file_and_section(tmp_path):
    path = tmp_path / "new" / "config.toml"
    set_value(path, "models", "embedding_model", "nomic-embed-text:latest")
    assert tomllib.loads(path.read_text()) == {
        "models": {"embedding_model": "nomic-embed-text:latest"}
    }


def test_a_broken_file_is_a_config_error_and_left_alone(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[models\n")
    with pytest.raises(ConfigError, match="cannot read"):
        set_value(path, "models", "chat_model", "x")
    assert path.read_text() == "[models\n"


def test_where_the_file_is(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert default_config_path(env) == tmp_path / "localchat" / "config.toml"
    assert str(config_path(None, {"LOCALCHAT_CONFIG": "/x.toml"})) == "/x.toml"
    assert str(config_path("/y.toml", env)) == "/y.toml"
    assert config_path(None, env) == tmp_path / "localchat" / "config.toml"
