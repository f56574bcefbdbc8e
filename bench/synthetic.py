"""Synthetic chunks: Zipfian text that stays on one seed's topic, and vectors near its embedding.

Every batch is a pure function of (seed set, first chunk number, count, seed), so a corpus can
be regenerated or extended batch by batch without keeping it in memory.
"""

from __future__ import annotations

import msgspec
import numpy as np

from bench.seeds import SeedSet

MEAN_WORDS = 150  # about 1,000 characters: the balanced preset's chunk size
TOPIC_SHARE = (
    0.75  # words from the chunk's own seed text: bursty terms, document frequencies near real ones
)
TAIL_SHARE = 0.04  # rare identifiers (names, numbers, codes): the vocabulary keeps growing
OTHER_WEIGHT = 0.45  # vector pulled toward an unrelated seed …
NOISE_WEIGHT = 0.55  # … and an isotropic direction, so chunks of one seed are not duplicates


class ChunkBatch(msgspec.Struct):
    texts: list[str]
    sources: np.ndarray  # int64 seed index of each chunk
    vectors: np.ndarray  # float32 (count, dim), unit rows


def generate(seeds: SeedSet, start: int, count: int, seed: int = 0) -> ChunkBatch:
    rng = np.random.default_rng([seed, start])
    sources = rng.integers(0, seeds.size, size=count)
    lengths = np.clip(rng.normal(MEAN_WORDS, 35, size=count), 30, 260).astype(np.int64)
    word_ids = _words(seeds, rng, np.repeat(sources, lengths))
    # Index an object array of the batch's distinct words: no per-word Python work.
    distinct, inverse = np.unique(word_ids, return_inverse=True)
    known = distinct < len(seeds.vocab)
    spelled = np.empty(distinct.size, dtype=object)
    spelled[known] = seeds.vocab[distinct[known]].astype(object)
    spelled[~known] = [_tail_word(int(w) - len(seeds.vocab)) for w in distinct[~known]]
    words = spelled[inverse]
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    texts = [" ".join(words[bounds[i] : bounds[i + 1]]) for i in range(count)]
    return ChunkBatch(texts, sources, _vectors(seeds, rng, sources))


def _words(seeds: SeedSet, rng: np.random.Generator, owner: np.ndarray) -> np.ndarray:
    """One word id per position: the owner's seed text, the unigram, or the rare tail."""
    total = owner.size
    kind = rng.random(total)
    ids = rng.choice(len(seeds.vocab), size=total, p=seeds.unigram).astype(np.int64)
    topic = kind < TOPIC_SHARE
    starts = seeds.bag_starts[owner[topic]]
    spans = seeds.bag_starts[owner[topic] + 1] - starts
    picks = starts + (rng.random(topic.sum()) * np.maximum(spans, 1)).astype(np.int64)
    ids[topic] = np.where(
        spans > 0, seeds.bag_words[np.minimum(picks, len(seeds.bag_words) - 1)], ids[topic]
    )
    tail = kind > 1.0 - TAIL_SHARE
    ids[tail] = len(seeds.vocab) + np.minimum(rng.zipf(1.2, size=tail.sum()), 50_000_000)
    return ids


def _tail_word(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return "q" + out


def _vectors(seeds: SeedSet, rng: np.random.Generator, sources: np.ndarray) -> np.ndarray:
    others = rng.integers(0, seeds.size, size=sources.size)
    noise = rng.standard_normal((sources.size, seeds.vectors.shape[1])).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    mixed = seeds.vectors[sources] + OTHER_WEIGHT * seeds.vectors[others] + NOISE_WEIGHT * noise
    return (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32)
