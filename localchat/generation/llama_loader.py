"""Loading a GGUF with llama-cpp-python safely on machines that advertise AMX."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from localchat.errors import ModelLoadError

REINSTALL = "reinstall llama-cpp-python (pip install --force-reinstall llama-cpp-python)"


# Serialises the brief swap of llama_model_default_params in open_llama.
_DEFAULTS_LOCK = threading.Lock()


def open_llama(path: Path, **kwargs: Any) -> Any:
    """`llama_cpp.Llama(path, **kwargs)`, never using AMX weight buffers where AMX is advertised.

    A source build of llama-cpp-python on a CPU that reports AMX compiles AMX kernels and puts
    quantised weights in AMX buffers, but some virtual machines report AMX without enabling its
    tile registers: the first matrix product then dies with SIGILL (seen on this project's
    2-core VMs with SmolLM2 Q4_1). Llama() has no argument for `use_extra_bufts`, so the
    default-params factory it calls is wrapped for the duration of the load.
    """
    try:
        import llama_cpp
        import llama_cpp.llama_cpp as low
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelLoadError(f"llama-cpp-python is not importable: {exc}", hint=REINSTALL) from None
    if not cpu_reports_amx():
        return llama_cpp.Llama(model_path=str(path), **kwargs)
    with _DEFAULTS_LOCK:
        original = low.llama_model_default_params

        def without_extra_buffers() -> Any:
            params = original()
            params.use_extra_bufts = False
            return params

        low.llama_model_default_params = without_extra_buffers
        try:
            return llama_cpp.Llama(model_path=str(path), **kwargs)
        finally:
            low.llama_model_default_params = original


def cpu_reports_amx() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            return any(line.startswith("flags") and " amx" in line for line in info)
    except OSError:
        return False
