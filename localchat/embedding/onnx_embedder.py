"""Embeddings from an ONNX graph of MiniLM through ONNX Runtime (fp32 or calibrated int8)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from localchat.embedding.gguf_tokenizer import GgufTokenizer
from localchat.errors import ModelLoadError, ModelMissingError

# Padded tokens cost as much as real ones, so batches group texts of similar length and are
# capped in tokens (batch rows x longest row), not in texts.
BATCH_TOKENS = 4096
MIN_SPLIT_TOKENS = 256  # a smaller batch costs more in fixed per-run overhead than it saves
SPLIT = 4  # batches a small call is cut into: two for each of two cores, less padding


class OnnxEmbedder:
    """An `Embedder` running an ONNX graph (input_ids, attention_mask -> unit vectors).

    Tokens come from the GGUF vocabulary of the same model (GgufTokenizer), so token counts,
    cuts and model identity agree with LlamaEmbedder's. Safe to share between threads: ONNX
    Runtime sessions may run concurrently, the tokenizer has its own lock.

    The session computes on one thread; a call of several length batches runs them on
    `threads` threads at once. A single query is one batch, so it never waits on a woken
    pool thread (with 2 intra-op threads a 20-token query took longer than with 1, and
    competed with the BM25 thread of a hybrid search); long calls keep every core busy.
    """

    def __init__(
        self,
        onnx_path: str | os.PathLike[str],
        tokenizer: GgufTokenizer,
        *,
        name: str,
        max_tokens: int = 256,
        threads: int = 0,
    ) -> None:
        import onnxruntime

        self._path = Path(onnx_path)
        if not self._path.is_file():
            raise ModelMissingError(
                f"ONNX embedding model {self._path} does not exist",
                hint="delete embedder-choice.json in the data dir to have it rebuilt",
            )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across batches instead (embed_tokens)
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(
                str(self._path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelLoadError(
                f"ONNX Runtime could not load {self._path}: {exc}",
                hint="delete the file to have it rebuilt at the next start",
            ) from None
        self._tokenizer = tokenizer
        self._max_tokens = max_tokens
        self._lock = threading.Lock()
        self._workers = threads if threads > 0 else _cpu_count()
        self._pool: ThreadPoolExecutor | None = None
        self._dim = int(self._session.get_outputs()[0].shape[-1] or 384)
        self._model_id = f"{name}.{_file_hash(self._path)}"

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
        return self._tokenizer.vocab_size

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.tokenize(text))

    def tokenize(self, text: str) -> list[int]:
        return self._tokenizer.tokenize(text)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        cut = self._tokenizer.cut
        return self.embed_tokens([cut(self.tokenize(text), self._max_tokens) for text in texts])

    def embed_tokens(self, token_lists: Sequence[Sequence[int]]) -> np.ndarray:
        """Embed already tokenised (and cut) sequences; rows in input order, L2-normalised."""
        out = np.zeros((len(token_lists), self._dim), dtype=np.float32)
        if self._session is None:
            raise ModelLoadError("the embedder is closed", hint="open a new one")
        lengths = [len(tokens) for tokens in token_lists]
        batches = _length_batches(lengths, _budget(lengths))
        groups = [[token_lists[index] for index in batch] for batch in batches]
        pool = self._batch_pool() if len(batches) > 1 else None
        results = pool.map(self._run, groups) if pool is not None else map(self._run, groups)
        for batch, vectors in zip(batches, results, strict=True):
            out[batch] = vectors
        return out

    def close(self) -> None:
        with self._lock:
            self._session = None
            self._tokenizer.close()
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def _batch_pool(self) -> ThreadPoolExecutor | None:
        """Threads for a call's batches (None with one worker); made on the first long call."""
        if self._workers <= 1:
            return None
        with self._lock:
            if self._pool is None and self._session is not None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="onnx-embed")
            return self._pool

    def __enter__(self) -> OnnxEmbedder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self, sequences: list[Sequence[int]]) -> np.ndarray:
        width = max(1, max(len(tokens) for tokens in sequences))
        ids = np.zeros((len(sequences), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, tokens in enumerate(sequences):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        session = self._session
        if session is None:
            raise ModelLoadError("the embedder is closed", hint="open a new one")
        return session.run(None, {"input_ids": ids, "attention_mask": mask})[0]


def _budget(lengths: Sequence[int]) -> int:
    """Padded tokens per batch: BATCH_TOKENS, or less for a call too small to fill SPLIT
    batches (the ~40 sentences an answer's evidence embeds were one batch, on one thread,
    padded to the longest: 3x slower than four batches on two threads). It depends on the
    texts only, never on the thread count, so every machine computes the same vectors."""
    if len(lengths) < 2:
        return BATCH_TOKENS
    total = sum(max(length, 1) for length in lengths)
    return min(BATCH_TOKENS, max(MIN_SPLIT_TOKENS, -(-total // SPLIT)))


def _length_batches(lengths: Sequence[int], budget: int = BATCH_TOKENS) -> list[list[int]]:
    """Indices sorted by length, cut into groups whose padded size stays within `budget`."""
    order = sorted(range(len(lengths)), key=lambda index: lengths[index])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        # Sorted ascending, so this text is the longest of the group if it joins.
        if current and (len(current) + 1) * max(lengths[index], 1) > budget:
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _file_hash(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=6)
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
