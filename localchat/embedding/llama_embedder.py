"""Embeddings from a GGUF embedding model through llama-cpp-python, many texts per decode call."""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from localchat.embedding.packing import pack_batches
from localchat.errors import ModelLoadError, ModelMissingError

# all-MiniLM-L6-v2 was trained on 256 tokens although its position table has 512; the
# converter records that limit under this key, other GGUF models fall back to n_ctx_train.
MAX_TOKENS_KEY = b"localchat.max_tokens"
DEFAULT_MAX_TOKENS = 512


class LlamaEmbedder:
    """An `Embedder` running one llama.cpp context; safe to share between threads.

    Texts are tokenised here, cut to `max_tokens` (keeping the closing special token, as
    sentence-transformers does), packed longest-first into batches of up to `batch_tokens`
    tokens and `max_seqs` sequences, and decoded together; llama.cpp mean-pools each
    sequence and the rows are L2-normalised here.

    Small decode batches win: llama.cpp builds an n_tokens x n_tokens attention mask per
    batch and flash attention scans all of it, so 256 tokens (about one chunk) per decode
    beat 512-4096 in tokens per CPU-second on every build measured.
    `extra_buffers` lets quantised weights use llama.cpp's AMX kernels: only where
    `localchat.embedding.amx` found them safe (a GCC build crashes there).
    """

    def __init__(
        self,
        gguf_path: str | os.PathLike[str],
        threads: int = 0,
        *,
        batch_tokens: int = 256,
        max_seqs: int = 64,
        max_tokens: int | None = None,
        flash_attn: bool = True,
        extra_buffers: bool = False,
    ) -> None:
        # GNU OpenMP spins idle threads between decodes; next to parsers on 2 cores that cut
        # 2-thread throughput 4x (314 vs 1211 tokens/s). libgomp reads this when llama_cpp is
        # first imported, so the CLI should set it earlier still; a user's value wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import llama_cpp

        self._path = Path(gguf_path)
        if not self._path.is_file():
            raise ModelMissingError(
                f"embedding model {self._path} does not exist",
                hint="check models.embedding_path, or clear it to use the bundled model",
            )
        self._lib = llama_cpp
        self._lock = threading.Lock()
        _quiet(llama_cpp)
        self._threads = threads if threads > 0 else _cpu_count()
        self._model = self._load_model(extra_buffers)
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        self._dim = int(llama_cpp.llama_model_n_embd(self._model))
        n_ctx_train = int(llama_cpp.llama_model_n_ctx_train(self._model))
        limit = max_tokens or self._meta_int(MAX_TOKENS_KEY) or DEFAULT_MAX_TOKENS
        self._max_tokens = min(limit, n_ctx_train)
        self._batch_tokens = max(batch_tokens, self._max_tokens)
        self._max_seqs = max(1, min(max_seqs, int(llama_cpp.llama_max_parallel_sequences())))
        self._ctx = self._new_context(flash_attn)
        self._model_id = self._describe()

    # -- Embedder protocol ------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    @property
    def vocab_size(self) -> int:
        """How many token ids the vocabulary has (token-id inputs must be below this)."""
        with self._lock:
            self._require_open()
            return int(self._lib.llama_vocab_n_tokens(self._vocab))

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        token_lists = [self._cut(self.tokenize(text)) for text in texts]
        return self.embed_tokens(token_lists)

    def close(self) -> None:
        with self._lock:
            if self._ctx is not None:
                self._lib.llama_free(self._ctx)
                self._ctx = None
            if self._model is not None:
                self._lib.llama_model_free(self._model)
                self._model = None

    def __enter__(self) -> LlamaEmbedder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- tokens ------------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        """All tokens of `text`, with the model's special tokens, before any cut."""
        data = text.encode("utf-8", errors="replace")
        capacity = len(data) + 8
        with self._lock:  # close() must not free the vocabulary under a running tokenizer
            self._require_open()
            while True:
                buffer = (self._lib.llama_token * capacity)()
                count = self._lib.llama_tokenize(
                    self._vocab, data, len(data), buffer, capacity, True, False
                )
                if count >= 0:
                    return list(buffer[:count])
                capacity = -count  # llama.cpp says how many it needs

    def _require_open(self) -> None:
        if self._ctx is None:
            raise ModelLoadError("the embedder is closed", hint="open a new one")

    def _cut(self, tokens: list[int]) -> list[int]:
        if len(tokens) <= self._max_tokens:
            return tokens
        last = tokens[-1]
        if self._is_control(last):
            return [*tokens[: self._max_tokens - 1], last]  # keep the closing [SEP]
        return tokens[: self._max_tokens]

    def _is_control(self, token: int) -> bool:
        with self._lock:
            self._require_open()
            return bool(self._lib.llama_vocab_is_control(self._vocab, token))

    def embed_tokens(self, token_lists: Sequence[Sequence[int]]) -> np.ndarray:
        """Embed already tokenised (and cut) sequences; rows in input order, L2-normalised."""
        out = np.zeros((len(token_lists), self._dim), dtype=np.float32)
        lengths = [len(tokens) for tokens in token_lists]
        for batch in pack_batches(lengths, self._batch_tokens, self._max_seqs):
            out[batch] = self._decode([token_lists[index] for index in batch])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    # -- llama.cpp ---------------------------------------------------------------------------

    def _decode(self, sequences: list[Sequence[int]]) -> np.ndarray:
        batch, keep_alive = _make_batch(self._lib, sequences)
        vectors = np.empty((len(sequences), self._dim), dtype=np.float32)
        with self._lock:  # one llama context is never entered by two threads
            self._require_open()
            status = self._lib.llama_decode(self._ctx, batch)
            if status != 0:
                raise ModelLoadError(f"llama.cpp failed to embed a batch (status {status})")
            for seq, row in enumerate(vectors):
                pointer = self._lib.llama_get_embeddings_seq(self._ctx, seq)
                row[:] = np.ctypeslib.as_array(pointer, shape=(self._dim,))
        del keep_alive
        return vectors

    def _load_model(self, extra_buffers: bool) -> ctypes.c_void_p:
        params = self._lib.llama_model_default_params()
        params.n_gpu_layers = 0
        if hasattr(params, "use_extra_bufts"):
            # Extra buffers route quantised weights to ggml's AMX kernels, which a GCC build
            # of llama.cpp miscompiles (tile config optimised away -> SIGILL on AMX CPUs).
            params.use_extra_bufts = extra_buffers
        model = self._lib.llama_model_load_from_file(str(self._path).encode(), params)
        if not model:
            raise ModelLoadError(
                f"llama.cpp could not load {self._path}",
                hint="check that the file is a GGUF embedding model; delete a converted file "
                "in the data dir to have it rebuilt",
            )
        return model

    def _new_context(self, flash_attn: bool) -> ctypes.c_void_p:
        lib = self._lib
        params = lib.llama_context_default_params()
        # An encoder keeps no KV cache: n_ctx only has to be n_seq_max x a per-sequence size
        # that llama.cpp accepts without warnings (a multiple of 256, <= n_ctx_train).
        params.n_ctx = self._max_seqs * 256
        params.n_batch = params.n_ubatch = self._batch_tokens
        params.n_seq_max = self._max_seqs
        params.n_threads = params.n_threads_batch = self._threads
        params.embeddings = True
        params.pooling_type = lib.LLAMA_POOLING_TYPE_UNSPECIFIED  # the model's own (mean)
        if hasattr(params, "flash_attn_type"):
            params.flash_attn_type = (
                lib.LLAMA_FLASH_ATTN_TYPE_ENABLED
                if flash_attn
                else lib.LLAMA_FLASH_ATTN_TYPE_DISABLED
            )
        else:  # llama-cpp-python before the flash_attn_type switch
            params.flash_attn = flash_attn
        ctx = lib.llama_init_from_model(self._model, params)
        if not ctx:
            lib.llama_model_free(self._model)
            raise ModelLoadError(f"llama.cpp could not create a context for {self._path}")
        if lib.llama_pooling_type(ctx) == lib.LLAMA_POOLING_TYPE_NONE:
            lib.llama_free(ctx)
            lib.llama_model_free(self._model)
            raise ModelLoadError(
                f"{self._path.name} has no pooling type, so it is not a sentence embedding model",
                hint="point models.embedding_path at an embedding GGUF (MiniLM, bge, nomic-embed)",
            )
        return ctx

    def _meta(self, key: bytes) -> str | None:
        buffer = ctypes.create_string_buffer(256)
        size = self._lib.llama_model_meta_val_str(self._model, key, buffer, len(buffer))
        return buffer.value.decode("utf-8", errors="replace") if size >= 0 else None

    def _meta_int(self, key: bytes) -> int | None:
        value = self._meta(key)
        return int(value) if value and value.isdigit() else None

    def _describe(self) -> str:
        """model name + weight type + short content hash: changes whenever the vectors could."""
        name = self._meta(b"general.name") or self._path.stem
        buffer = ctypes.create_string_buffer(128)
        self._lib.llama_model_desc(self._model, buffer, len(buffer))
        dtype = buffer.value.decode(errors="replace").split()[-1].lower()
        return f"{name}.{dtype}.{_file_hash(self._path)}"


def _make_batch(lib, sequences: list[Sequence[int]]) -> tuple[object, list[np.ndarray]]:
    """A llama_batch over numpy arrays: one sequence id per token, every token an output.

    Filling llama-cpp-python's batch token by token from Python costs more than the
    decode of short texts; numpy builds the same arrays in a few vector operations.
    """
    lengths = np.fromiter((len(tokens) for tokens in sequences), dtype=np.int64)
    total = int(lengths.sum())
    tokens = np.fromiter((t for seq in sequences for t in seq), dtype=np.int32, count=total)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    positions = (np.arange(total) - starts).astype(np.int32)
    seq_ids = np.repeat(np.arange(len(sequences), dtype=np.int32), lengths)
    n_seq_id = np.ones(total, dtype=np.int32)
    outputs = np.ones(total, dtype=np.int8)
    # seq_id is int32**: one pointer per token into seq_ids.
    seq_ptrs = (seq_ids.ctypes.data + 4 * np.arange(total, dtype=np.uint64)).astype(np.uint64)
    batch = lib.llama_batch()
    batch.n_tokens = total
    batch.token = tokens.ctypes.data_as(ctypes.POINTER(lib.llama_token))
    batch.embd = None
    batch.pos = positions.ctypes.data_as(ctypes.POINTER(lib.llama_pos))
    batch.n_seq_id = n_seq_id.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))
    batch.seq_id = ctypes.cast(
        seq_ptrs.ctypes.data, ctypes.POINTER(ctypes.POINTER(lib.llama_seq_id))
    )
    batch.logits = outputs.ctypes.data_as(ctypes.POINTER(ctypes.c_int8))
    return batch, [tokens, positions, seq_ids, n_seq_id, outputs, seq_ptrs]


def _file_hash(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=6)
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _quiet(llama_cpp) -> None:
    """llama.cpp logs through llama-cpp-python's logger, which prints everything until set."""
    logger = logging.getLogger("llama-cpp-python")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)
    llama_cpp.llama_backend_init()
