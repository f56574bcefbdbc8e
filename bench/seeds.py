"""Seed material for synthetic corpora: a real vocabulary with its frequencies, real texts with
their real embeddings, and real queries — or, without SciFact, a pseudo-word fallback.

A synthetic chunk borrows words from one seed text and from the corpus-wide unigram, and its
vector is that seed's embedding plus noise, so BM25 and vector search see the same topics.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import msgspec
import numpy as np

from localchat.embedding.embedder import Embedder

WORD = re.compile(r"[^\W_]+", re.UNICODE)
SEED_TEXTS = 2000  # real texts whose embeddings anchor the synthetic vectors
SEED_CHARS = 512  # embed a prefix only: a real vector at a fraction of the embedding cost
SEEDS_VERSION = 1


class SeedSet(msgspec.Struct):
    """Everything the generator draws from; numpy arrays, cached as one .npz file."""

    source: str  # "scifact" or "pseudo"
    vocab: np.ndarray  # str array; word id -> word
    unigram: np.ndarray  # float64 probabilities over vocab
    bag_words: np.ndarray  # int32 word ids of every seed text, concatenated
    bag_starts: np.ndarray  # int64, len = seeds + 1: seed i owns bag_words[starts[i]:starts[i+1]]
    vectors: np.ndarray  # float32 (seeds, dim), unit rows
    queries: list[str]

    @property
    def size(self) -> int:
        return int(self.vectors.shape[0])


def slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def seeds_file(root: Path, source: str, model_id: str, count: int) -> Path:
    return root / f"seeds-{source}-{slug(model_id)}-n{count}-v{SEEDS_VERSION}.npz"


def load_or_build(
    root: Path,
    embedder: Embedder,
    scifact: Path | None,
    *,
    count: int = SEED_TEXTS,
    log=lambda _: None,
) -> SeedSet:
    """The cached seed set for this embedder, built once (embedding `count` texts)."""
    source = "scifact" if scifact is not None else "pseudo"
    path = seeds_file(root, source, embedder.model_id, count)
    if path.is_file():
        return _load(path)
    root.mkdir(parents=True, exist_ok=True)
    if scifact is not None:
        log(f"embedding {count} SciFact texts once for the synthetic corpora (cached)…")
        seeds = from_beir(scifact, embedder, count)
    else:
        seeds = pseudo_seeds(count, embedder.dim)
    _save(seeds, path)
    return seeds


def from_beir(folder: Path, embedder: Embedder, count: int) -> SeedSet:
    texts = [
        f"{doc.get('title', '')} {doc.get('text', '')}".strip()
        for doc in map(json.loads, (folder / "corpus.jsonl").read_text("utf-8").splitlines())
    ]
    words = [[w.lower() for w in WORD.findall(text)] for text in texts]
    counts = Counter(w for doc in words for w in doc)
    vocab = sorted(counts, key=lambda w: (-counts[w], w))
    ids = {w: i for i, w in enumerate(vocab)}
    unigram = np.array([counts[w] for w in vocab], dtype=np.float64)
    chosen = texts[:count]
    vectors = np.vstack(
        [embedder.embed([t[:SEED_CHARS] for t in chosen[i : i + 64]]) for i in range(0, count, 64)]
    )
    queries = [
        json.loads(line)["text"]
        for line in (folder / "queries.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    return _assemble(
        "scifact", vocab, unigram, [[ids[w] for w in d] for d in words[:count]], vectors, queries
    )


def pseudo_seeds(count: int, dim: int, *, vocab_size: int = 40_000, seed: int = 7) -> SeedSet:
    """Pseudo-words with a Zipf-Mandelbrot distribution and clustered unit vectors."""
    rng = np.random.default_rng(seed)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    vocab = sorted(
        {"".join(rng.choice(syllables, size=int(n))) for n in rng.integers(1, 5, 3 * vocab_size)}
    )[:vocab_size]
    rng.shuffle(vocab)
    ranks = np.arange(1, len(vocab) + 1, dtype=np.float64)
    unigram = 1.0 / (ranks + 2.7) ** 1.07
    topics = 64
    topic_words = [rng.choice(np.arange(200, len(vocab)), size=300) for _ in range(topics)]
    topic_of = rng.integers(0, topics, size=count)
    centroids = _unit(rng.standard_normal((topics, dim)))
    vectors = _unit(centroids[topic_of] + 0.6 * _unit(rng.standard_normal((count, dim))))
    bags = [rng.choice(topic_words[t], size=200).tolist() for t in topic_of]
    queries = [
        " ".join(vocab[w] for w in rng.choice(bags[i], size=5)) for i in rng.integers(0, count, 300)
    ]
    return _assemble("pseudo", list(vocab), unigram, bags, vectors, queries)


def _assemble(
    source: str,
    vocab: Sequence[str],
    weights: np.ndarray,
    bags: Sequence[Sequence[int]],
    vectors: np.ndarray,
    queries: list[str],
) -> SeedSet:
    lengths = np.fromiter((len(b) for b in bags), dtype=np.int64, count=len(bags))
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    flat = np.fromiter((w for b in bags for w in b), dtype=np.int32, count=int(lengths.sum()))
    return SeedSet(
        source=source,
        vocab=np.asarray(vocab, dtype=str),
        unigram=weights / weights.sum(),
        bag_words=flat,
        bag_starts=starts,
        vectors=np.ascontiguousarray(vectors, dtype=np.float32),
        queries=list(queries),
    )


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def _save(seeds: SeedSet, path: Path) -> None:
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        source=np.array(seeds.source),
        vocab=seeds.vocab,
        unigram=seeds.unigram,
        bag_words=seeds.bag_words,
        bag_starts=seeds.bag_starts,
        vectors=seeds.vectors,
        queries=np.asarray(seeds.queries, dtype=str),
    )
    tmp.replace(path)


def _load(path: Path) -> SeedSet:
    with np.load(path, allow_pickle=False) as data:
        return SeedSet(
            source=str(data["source"]),
            vocab=data["vocab"],
            unigram=data["unigram"],
            bag_words=data["bag_words"],
            bag_starts=data["bag_starts"],
            vectors=data["vectors"],
            queries=[str(q) for q in data["queries"]],
        )
