"""Settings: frozen msgspec Structs loaded from TOML, then `LOCALCHAT_<SECTION>_<KEY>` env vars.

`localchat.config` is the import path every part of LocalChat uses for its settings, so the
names below are re-exported from the modules that hold them: presets.py (RagParams, the
presets, answer modes, resolving and validating `[rag]`), sections.py (one Struct per TOML
table and `Settings`) and loader.py (`load_settings`, the data and cache dirs, `with_rag`).
"""

from localchat.config.loader import default_data_dir, load_settings, machine_cache_dir, with_rag
from localchat.config.presets import (
    ANSWER_MODES,
    DEFAULT_PRESET,
    PRESETS,
    RagParams,
    preset_params,
    resolve_rag,
    validate_rag,
)
from localchat.config.sections import (
    SECTIONS,
    CacheSettings,
    IngestSettings,
    McpSettings,
    ModelSettings,
    RagSettings,
    ServerSettings,
    Settings,
    WatchFolder,
)

__all__ = [
    "ANSWER_MODES",
    "DEFAULT_PRESET",
    "PRESETS",
    "SECTIONS",
    "CacheSettings",
    "IngestSettings",
    "McpSettings",
    "ModelSettings",
    "RagParams",
    "RagSettings",
    "ServerSettings",
    "Settings",
    "WatchFolder",
    "default_data_dir",
    "load_settings",
    "machine_cache_dir",
    "preset_params",
    "resolve_rag",
    "validate_rag",
    "with_rag",
]
