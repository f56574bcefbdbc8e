"""RAG presets: the four numbers a preset fixes (`RagParams`), the named presets, the answer
modes, and resolving and validating the `[rag]` values they yield."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from localchat.errors import ConfigError

if TYPE_CHECKING:
    from localchat.config.sections import RagSettings


class RagParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The four numbers a preset fixes (chunk sizes in characters)."""

    chunk_size: int
    chunk_overlap: int
    top_k: int
    min_similarity: float


PRESETS: dict[str, RagParams] = {
    "fast": RagParams(chunk_size=512, chunk_overlap=100, top_k=10, min_similarity=0.35),
    "balanced": RagParams(chunk_size=1024, chunk_overlap=200, top_k=20, min_similarity=0.28),
    "accurate": RagParams(chunk_size=2048, chunk_overlap=400, top_k=40, min_similarity=0.22),
}
DEFAULT_PRESET = "balanced"
ANSWER_MODES = ("extractive", "generative", "auto")  # rag.answer_mode


def preset_params(name: str, *, where: str = "") -> RagParams:
    """The named preset's parameters: the one place an unknown preset name is refused."""
    found = PRESETS.get(name) if isinstance(name, str) else None
    if found is None:
        problem = f"bad setting in {where}: rag.preset" if where else "unknown preset"
        raise ConfigError(
            f"{problem} = {name!r}" if where else f"{problem} {name!r}",
            hint=f"choose one of {', '.join(PRESETS)}",
            param="preset",
        )
    return found


def resolve_rag(rag: RagSettings) -> RagParams:
    base = preset_params(rag.preset)
    merged = msgspec.structs.replace(
        base,
        **{
            name: value
            for name in RagParams.__struct_fields__
            if (value := getattr(rag, name)) is not None
        },
    )
    validate_rag(merged)
    return merged


def validate_rag(params: RagParams) -> None:
    """Raise ConfigError naming the first value out of range."""
    checks = [
        ("chunk_size", 64 <= params.chunk_size <= 16384, "an integer from 64 to 16384"),
        (
            "chunk_overlap",
            0 <= params.chunk_overlap < params.chunk_size // 2 + 1,
            "an integer from 0 to half of chunk_size",
        ),
        ("top_k", 1 <= params.top_k <= 200, "an integer from 1 to 200"),
        ("min_similarity", -1.0 <= params.min_similarity <= 1.0, "a number from -1 to 1"),
    ]
    for name, ok, allowed in checks:
        if not ok:
            raise ConfigError(
                f"rag.{name} = {getattr(params, name)!r} is out of range",
                hint=f"use {allowed}",
                param=name,
            )
