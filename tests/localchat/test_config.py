"""Settings: TOML, env overrides, clear errors naming file, key and what is allowed."""

from __future__ import annotations

import pytest

from localchat.config import PRESETS, load_settings, preset_params, with_rag
from localchat.errors import ConfigError


def test_defaults_use_balanced_and_loopback(tmp_path):
    s = load_settings(data_dir=tmp_path, environ={})
    assert s.rag_params() == PRESETS["balanced"]
    assert s.server.host == "127.0.0.1" and s.server.port == 8484
    assert s.data_path == tmp_path.resolve()


def test_toml_then_env_then_argument(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        'data_dir = "/nowhere"\n[rag]\npreset = "fast"\ntop_k = 7\n[server]\nport = 9000\n'
    )
    env = {
        "LOCALCHAT_SERVER_PORT": "9100",
        "LOCALCHAT_SERVER_API_KEYS": "a, b",
        "LOCALCHAT_HOME": str(tmp_path / "home"),
    }
    s = load_settings(cfg, environ=env)
    assert s.rag.preset == "fast" and s.rag_params().top_k == 7
    assert s.rag_params().chunk_size == PRESETS["fast"].chunk_size
    assert s.server.port == 9100 and s.server.api_keys == ("a", "b")
    assert s.data_path == (tmp_path / "home").resolve()
    assert load_settings(cfg, data_dir=tmp_path / "arg", environ=env).data_path.name == "arg"


def test_config_from_env_var(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[cache]\nenabled = false\n")
    s = load_settings(environ={"LOCALCHAT_CONFIG": str(cfg), "LOCALCHAT_HOME": str(tmp_path)})
    assert s.cache.enabled is False


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ('[rag]\ntop_k = "many"\n', "rag.top_k"),
        ("[rag]\nbogus = 1\n", "bogus"),
        ("[nope]\nx = 1\n", "nope"),
        ('[rag]\npreset = "turbo"\n', "turbo"),
        ("[rag]\nchunk_overlap = 5000\n", "chunk_overlap"),
        ("not toml = = =", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, toml, needle):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg, data_dir=tmp_path, environ={})
    text = str(err.value) + err.value.hint
    assert needle in text
    assert "bad.toml" in str(err.value) or err.value.param


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", data_dir=tmp_path, environ={})


def test_bad_env_value_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="port"):
        load_settings(data_dir=tmp_path, environ={"LOCALCHAT_SERVER_PORT": "eighty"})


def test_with_rag_validates(tmp_path):
    s = load_settings(data_dir=tmp_path, environ={})
    assert with_rag(s, preset="accurate").rag_params() == PRESETS["accurate"]
    with pytest.raises(ConfigError):
        with_rag(s, top_k=0)


def test_error_message_points_at_docs():
    err = ConfigError("bad thing", hint="do this")
    assert (
        "do this" in err.user_message()
        and "troubleshooting.md#invalid-config" in err.user_message()
    )


def test_one_place_refuses_an_unknown_preset(tmp_path):
    assert preset_params("fast") is PRESETS["fast"]
    for bad in ("turbo", ["fast"], None):
        with pytest.raises(ConfigError) as caught:
            preset_params(bad)
        assert caught.value.param == "preset" and "fast, balanced" in caught.value.hint
    s = load_settings(data_dir=tmp_path, environ={})
    with pytest.raises(ConfigError, match="unknown preset 'turbo'"):
        with_rag(s, preset="turbo")
