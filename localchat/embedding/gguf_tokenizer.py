"""A GGUF model's tokenizer alone (vocab-only load): the same tokens LlamaEmbedder sees."""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path

from localchat.errors import ModelLoadError


class GgufTokenizer:
    """Tokenises text with the vocabulary of a GGUF file without loading its weights.

    Backends other than llama.cpp (ONNX Runtime) use it so that every embedder of one model
    counts and cuts tokens identically (the converted MiniLM's WordPiece matches
    sentence-transformers' tokenizer: tests/localchat/embedding check the reference counts).
    """

    def __init__(self, gguf_path: str | os.PathLike[str]) -> None:
        import llama_cpp

        self._lib = llama_cpp
        self._lock = threading.Lock()
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True
        self._model = llama_cpp.llama_model_load_from_file(str(gguf_path).encode(), params)
        if not self._model:
            raise ModelLoadError(
                f"llama.cpp could not read the vocabulary of {gguf_path}",
                hint="delete the converted file in the data dir to have it rebuilt",
            )
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        self.path = Path(gguf_path)

    def tokenize(self, text: str) -> list[int]:
        """All tokens of `text` with the special tokens, before any cut."""
        data = text.encode("utf-8", errors="replace")
        capacity = len(data) + 8
        with self._lock:
            if self._model is None:
                raise ModelLoadError("the tokenizer is closed", hint="open a new embedder")
            while True:
                buffer = (self._lib.llama_token * capacity)()
                count = self._lib.llama_tokenize(
                    self._vocab, data, len(data), buffer, capacity, True, False
                )
                if count >= 0:
                    return list(buffer[:count])
                capacity = -count

    @property
    def vocab_size(self) -> int:
        """How many token ids the vocabulary has."""
        with self._lock:
            return int(self._lib.llama_vocab_n_tokens(self._vocab))

    def cut(self, tokens: list[int], limit: int) -> list[int]:
        """At most `limit` tokens, keeping a closing control token ([SEP]) as the last one."""
        if len(tokens) <= limit:
            return tokens
        last = tokens[-1]
        if self._lib.llama_vocab_is_control(self._vocab, last):
            return [*tokens[: limit - 1], last]
        return tokens[:limit]

    def meta(self, key: bytes) -> str | None:
        buffer = ctypes.create_string_buffer(256)
        size = self._lib.llama_model_meta_val_str(self._model, key, buffer, len(buffer))
        return buffer.value.decode("utf-8", errors="replace") if size >= 0 else None

    def close(self) -> None:
        with self._lock:
            if self._model is not None:
                self._lib.llama_model_free(self._model)
                self._model = None
