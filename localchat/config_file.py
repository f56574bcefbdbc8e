"""Where the settings file lives, and changing one key in it while keeping the rest as written."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from localchat.errors import ConfigError

FILE_NAME = "config.toml"


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/localchat/config.toml` (platformdirs: ~/.config/localchat on Linux)."""
    import platformdirs

    env = os.environ if env is None else env
    if env.get("XDG_CONFIG_HOME"):
        return Path(env["XDG_CONFIG_HOME"]).expanduser() / "localchat" / FILE_NAME
    return Path(platformdirs.user_config_dir("localchat", appauthor=False)) / FILE_NAME


def config_path(
    explicit: str | os.PathLike[str] | None, env: Mapping[str, str] | None = None
) -> Path:
    """The file `--config` / LOCALCHAT_CONFIG names, else the default one."""
    env = os.environ if env is None else env
    chosen = explicit or env.get("LOCALCHAT_CONFIG")
    return Path(chosen).expanduser() if chosen else default_config_path(env)


def set_value(path: Path, section: str, key: str, value: Any) -> None:
    """Write `[section] key = value` into the TOML file at path, creating it if needed.

    Only that key changes: comments, order and every other value stay as they were (tomlkit
    round-trips the document). The file is replaced atomically, so a crash leaves the old one.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}", hint="fix or move the file") from None
    table = document.get(section)
    if table is None:
        table = tomlkit.table()
        document[section] = table
    elif not isinstance(table, dict):
        raise ConfigError(f"{path}: {section} is not a table", hint=f"make it [{section}]")
    table[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(tomlkit.dumps(document), encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc}", hint="check its permissions") from None
