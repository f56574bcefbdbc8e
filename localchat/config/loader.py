"""Loading Settings: defaults, then a TOML file, then `LOCALCHAT_<SECTION>_<KEY>` environment
variables, then arguments; the per-user data and per-machine cache dirs; `with_rag`."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, get_origin

import msgspec

from localchat.config.presets import ANSWER_MODES, preset_params
from localchat.config.sections import SECTIONS, ModelSettings, Settings
from localchat.errors import ConfigError


def machine_cache_dir(models: ModelSettings) -> Path:
    """Per-machine measurements (the embedder verdict), shared by every data dir."""
    if models.machine_cache_dir:
        return Path(models.machine_cache_dir)
    import platformdirs

    return Path(platformdirs.user_cache_dir("localchat", appauthor=False))


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("localchat", appauthor=False))


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Build Settings from (lowest first) defaults, a TOML file, the environment, arguments."""
    env = dict(os.environ if environ is None else environ)
    config_file = config_file or env.get("LOCALCHAT_CONFIG") or None
    if config_file is None and environ is None:
        # The file `localchat models use` writes; read when it exists and nothing else is named.
        from localchat.config_file import default_config_path

        default = default_config_path(env)
        config_file = default if default.is_file() else None
    raw: dict[str, Any] = {}
    source = "defaults"
    if config_file:
        path = Path(config_file).expanduser()
        source = str(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"config file {path} does not exist", hint="create it or drop --config"
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}", hint="fix the syntax") from None
    _apply_env(raw, env)
    chosen_dir = data_dir or env.get("LOCALCHAT_HOME") or raw.get("data_dir") or default_data_dir()
    raw["data_dir"] = str(Path(chosen_dir).expanduser().resolve())
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(
            f"bad setting in {source}: {exc}",
            hint=_allowed_hint(str(exc)),
        ) from None
    preset_params(settings.rag.preset, where=source)
    settings.rag_params()  # validates overrides
    if settings.rag.answer_mode not in ANSWER_MODES:
        raise ConfigError(
            f"bad setting in {source}: rag.answer_mode = {settings.rag.answer_mode!r}",
            hint=f"choose one of {', '.join(ANSWER_MODES)}",
            param="answer_mode",
        )
    return settings


def _apply_env(raw: dict[str, Any], env: dict[str, str]) -> None:
    for section, struct in SECTIONS.items():
        for field in struct.__struct_fields__:
            value = env.get(f"LOCALCHAT_{section.upper()}_{field.upper()}")
            if value is None:
                continue
            annotation = struct.__annotations__.get(field, "")
            is_tuple = "tuple" in str(annotation) or get_origin(annotation) is tuple
            parsed: Any = [v.strip() for v in value.split(",") if v.strip()] if is_tuple else value
            raw.setdefault(section, {})[field] = parsed


def _allowed_hint(message: str) -> str:
    if "unknown field" in message.lower() or "Object contains unknown field" in message:
        sections = ", ".join(f"[{name}]" for name in SECTIONS)
        return f"remove the unknown key; valid sections are {sections} (see docs/configuration.md)"
    return "see docs/configuration.md for each key's type and allowed values"


def with_rag(settings: Settings, **changes: Any) -> Settings:
    """A copy of settings with rag fields replaced (validated)."""
    new = msgspec.structs.replace(settings, rag=msgspec.structs.replace(settings.rag, **changes))
    new.rag_params()  # refuses an unknown preset, validates overrides
    return new
