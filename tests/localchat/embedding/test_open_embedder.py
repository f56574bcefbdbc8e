"""open_embedder: settings in, a ready Embedder out."""

from __future__ import annotations

from pathlib import Path

import msgspec

from localchat.config import Settings
from localchat.embedding.embedder import Embedder, open_embedder


def test_opens_the_configured_gguf(settings: Settings, minilm_gguf: Path) -> None:
    models = msgspec.structs.replace(settings.models, embedding_path=str(minilm_gguf), threads=1)
    embedder = open_embedder(msgspec.structs.replace(settings, models=models))
    try:
        assert isinstance(embedder, Embedder)
        assert embedder.dim == 384
        assert embedder.embed(["hello"]).shape == (1, 384)
    finally:
        embedder.close()
