"""Which answer mode a request gets: extractive, generative, or auto's choice between them."""

from __future__ import annotations

from typing import Literal

from localchat.config import ANSWER_MODES
from localchat.errors import InvalidRequestError

AnswerMode = Literal["extractive", "generative", "auto"]
MODES: tuple[str, ...] = ANSWER_MODES
# What auto picks for the bundled SmolLM2-135M: the mode that measured better on docs-qa and
# PubMedQA (docs/benchmarks.md, "Answer quality").
BUNDLED_AUTO = "extractive"


def check_mode(mode: str, *, param: str = "answer_mode") -> str:
    if mode not in MODES:
        raise InvalidRequestError(
            f"{param} {mode!r} is not an answer mode",
            hint=f"use one of {', '.join(MODES)}",
            param=param,
        )
    return mode


def resolve_mode(requested: str | None, configured: str, models) -> str:
    """The concrete mode ("extractive" or "generative") for a request.

    `auto` means generative when the generator is one the user chose (a GGUF file of their
    own, an upstream server, or a `localchat models use` choice), and BUNDLED_AUTO for the
    bundled model."""
    mode = check_mode(requested) if requested else configured
    if mode != "auto":
        return mode
    chosen = (models.generation_path, models.upstream_base_url, getattr(models, "chat_model", ""))
    chose_model = any(chosen)
    return "generative" if chose_model else BUNDLED_AUTO
