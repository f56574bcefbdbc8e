"""Is llama.cpp's AMX int8 path safe in this build? Probed once in a child process, then cached.

On CPUs with AMX, llama.cpp places quantised weights (q8_0, q4_x, k-quants) in an "extra"
AMX buffer when a model is loaded with `use_extra_bufts`. GCC 12 miscompiles the tile set-up
of those kernels (its `_tile_loadconfig` tells the optimiser it reads 8 bytes, so the tile
shapes are dropped as dead stores) and the first batched matmul dies with SIGILL; a clang
build runs them, and they are about twice as fast as any other CPU path here. A crash
cannot be caught in-process, so a throw-away child process tries one batched decode.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from localchat.embedding.llama_embedder import LlamaEmbedder
with LlamaEmbedder(sys.argv[1], threads=1, extra_buffers=True) as embedder:
    embedder.embed(["probe one two three four five six seven", "and a second text"])
print("ok")
"""


def amx_available() -> bool:
    """This build has AMX int8 kernels and the CPU reports AMX (else there is nothing to probe)."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    return "AMX_INT8 = 1" in info


def amx_kernels_safe(probe_model: Path, cache_dir: Path) -> bool:
    """True when quantised weights may use the AMX buffers in this process's llama.cpp.

    `probe_model` is any quantised (q8_0) embedding GGUF. The verdict is cached in
    `cache_dir` per llama.cpp library file, so it is re-probed after an upgrade or rebuild.
    """
    if not amx_available():
        return False
    key = _library_key()
    cache = cache_dir / "amx-probe.json"
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("library") == key:
            return bool(cached["safe"])
    except (OSError, ValueError, KeyError):
        pass
    safe = _probe(probe_model)
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"library": key, "safe": safe}), encoding="utf-8")
    return safe


def _probe(probe_model: Path) -> bool:
    try:
        result = subprocess.run(
            [sys.executable, "-c", PROBE, str(probe_model)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip().endswith("ok")


def _library_key() -> str:
    """Path, size and mtime of the loaded llama.cpp CPU library: changes on any rebuild."""
    import llama_cpp

    lib_dir = Path(llama_cpp.__file__).parent / "lib"
    parts = []
    for path in sorted(lib_dir.glob("libggml-cpu*")) or [Path(llama_cpp.__file__)]:
        stat = path.stat()
        parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)
