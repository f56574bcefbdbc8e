"""Loading a GGUF with llama-cpp-python safely on machines that advertise AMX."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from localchat.errors import ModelLoadError
from localchat.generation.threads import free_threads

REINSTALL = "reinstall llama-cpp-python (pip install --force-reinstall llama-cpp-python)"


# Serialises the brief swap of llama_model_default_params in open_llama.
_DEFAULTS_LOCK = threading.Lock()


def open_llama(path: Path, *, extra_buffers: bool = False, **kwargs: Any) -> Any:
    """`llama_cpp.Llama(path, **kwargs)`, without llama.cpp's extra weight buffers where the
    CPU reports AMX, unless `extra_buffers` says the AMX kernels were probed safe.

    A source build of llama-cpp-python on a CPU that reports AMX compiles AMX kernels and puts
    quantised weights in AMX buffers, but some virtual machines report AMX without enabling its
    tile registers, and GCC 12 miscompiles the tile set-up (embedding/amx.py): the first matrix
    product then dies with SIGILL (seen on this project's 2-core VMs with SmolLM2 Q4_1).
    `use_extra_bufts=False` is the only switch llama.cpp offers, and it also turns off the
    CPU_REPACK buffers (Q4_0, Q4_K and IQ4_NL weights repacked for AVX2/AVX-512 matmuls; Q4_1,
    the bundled model's type, has none). So the guard is as narrow as it can be: only where
    the CPU reports AMX, and not when the child-process probe (`amx_ready`) found the AMX
    kernels safe in this build, where AMX and repack both stay on. Llama() has no argument for
    `use_extra_bufts`, so the default-params factory it calls is wrapped for the load.
    """
    try:
        import llama_cpp
        import llama_cpp.llama_cpp as low
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelLoadError(f"llama-cpp-python is not importable: {exc}", hint=REINSTALL) from None
    if extra_buffers or not cpu_reports_amx():
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


def load_chat_model(
    path: Path, context_tokens: int, threads: int, *, extra_buffers: bool = False
) -> Any:
    """A chat GGUF opened for generation (threads 0: the cores free now, threads.py;
    `extra_buffers`: the AMX kernels were probed safe, see open_llama)."""
    n_threads = threads or free_threads()
    try:
        return open_llama(
            path,
            extra_buffers=extra_buffers,
            n_ctx=context_tokens,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            verbose=False,
        )
    except (ValueError, RuntimeError) as exc:
        raise ModelLoadError(
            f"could not load {path.name}: {exc}",
            hint="check that the file is a complete GGUF chat model",
        ) from None


def control_pattern(llm: Any) -> re.Pattern[str] | None:
    """A regex matching the text of every control token in the vocabulary (~40 ms)."""
    import llama_cpp

    flags = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL | llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED
    vocab = llm._model.vocab
    texts = {
        llm.detokenize([token], special=True).decode("utf-8", errors="ignore")
        for token in range(llm.n_vocab())
        if llama_cpp.llama_vocab_get_attr(vocab, token) & flags
    }
    texts = {text for text in texts if len(text) >= 2}
    if not texts:
        return None
    return re.compile("|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True)))
