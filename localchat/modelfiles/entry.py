"""What discovery reports: one entry per usable model, plus warning lines for what it skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

from localchat.modelfiles.header import GgufError, GgufHeader, read_header

Kind = Literal["chat", "embedding", "unknown"]
# Where a model was found: "bundled", "ollama", "lmstudio", "huggingface", "settings" (a GGUF
# file on disk) or "server" (an OpenAI-compatible server, `url` says which).
Origin = Literal["bundled", "ollama", "lmstudio", "huggingface", "settings", "server"]
# Architectures that only encode (llama.cpp runs them with embedding=True).
ENCODER_ARCHS = frozenset({"bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "t5encoder"})
# Vision projectors (LM Studio keeps them beside the model) are GGUF files but no text model.
NON_TEXT_ARCHS = frozenset({"clip", "mllama_vision", "wav_tokenizer"})


class ModelEntry(msgspec.Struct, frozen=True, omit_defaults=True):
    name: str  # what `models use NAME` and a request's `model` say
    kind: Kind
    origin: Origin
    path: str = ""  # the GGUF file (an Ollama blob for Ollama's store)
    url: str = ""  # the server's OpenAI base URL, for origin "server"
    remote_model: str = ""  # the name the server knows it by
    size_bytes: int = 0
    parameters: int = 0
    architecture: str = ""
    quantization: str = ""
    context_length: int = 0
    bundled: bool = False

    @property
    def local(self) -> bool:
        return bool(self.path)


class Discovery(msgspec.Struct, frozen=True):
    models: list[ModelEntry]
    warnings: list[str]

    def chat_models(self) -> list[ModelEntry]:
        return [m for m in self.models if m.kind == "chat"]

    def embedding_models(self) -> list[ModelEntry]:
        return [m for m in self.models if m.kind == "embedding"]


def kind_of(header: GgufHeader) -> Kind:
    """chat / embedding from the metadata: encoder architectures and pooled, template-less
    models embed; a model with a chat template (or a decoder with no pooling) chats."""
    if header.architecture in NON_TEXT_ARCHS:
        return "unknown"
    if header.architecture in ENCODER_ARCHS:
        return "embedding"
    pooling = header.arch_value("pooling_type")
    if header.chat_template:
        return "chat"
    if pooling not in (None, 0) or header.arch_value("causal_attention") is False:
        return "embedding"
    return "chat" if header.architecture else "unknown"


def gguf_entry(path: Path, name: str, origin: Origin, *, bundled: bool = False) -> ModelEntry:
    """The entry for one GGUF file; GgufError/OSError when it cannot be read."""
    header = read_header(path)
    return ModelEntry(
        name=name,
        kind=kind_of(header),
        origin=origin,
        path=str(path),
        size_bytes=path.stat().st_size,
        parameters=header.parameters,
        architecture=header.architecture,
        quantization=header.quantization,
        context_length=int(header.arch_value("context_length", 0) or 0),
        bundled=bundled,
    )


def try_gguf_entry(
    path: Path, name: str, origin: Origin, warnings: list[str], *, bundled: bool = False
) -> ModelEntry | None:
    """gguf_entry, or None with a warning line (a broken or vanished file never stops a scan)."""
    try:
        return gguf_entry(path, name, origin, bundled=bundled)
    except (GgufError, OSError, UnicodeDecodeError) as exc:
        warnings.append(f"{origin}: skipped {path}: {exc}")
        return None


def gguf_stem(path: Path) -> str:
    return path.name.removesuffix(".gguf")
