"""Retrieval quality on a BEIR-layout folder: nDCG@10, recall@10/100, MRR@10 and latency."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

from localchat.config import PRESETS, Settings
from localchat.errors import InvalidRequestError
from localchat.ingest.loaders import LoadedDocument, Page
from localchat.retrieval.retriever import Mode
from localchat.store.records import NewDocument


class BeirItem(msgspec.Struct):
    _id: str = msgspec.field(name="_id")
    text: str = ""
    title: str = ""


class EvalReport(msgspec.Struct):
    queries: int
    preset: str
    mode: str
    ndcg_at_10: float = msgspec.field(name="ndcg@10")
    recall_at_10: float = msgspec.field(name="recall@10")
    recall_at_100: float = msgspec.field(name="recall@100")
    mrr_at_10: float = msgspec.field(name="mrr@10")
    p50_ms: float
    p95_ms: float
    documents: int
    chunks: int
    ingest_seconds: float


def read_beir(folder: Path) -> tuple[Path, list[BeirItem], dict[str, dict[str, int]]]:
    """(corpus path, queries that have judgements, qrels {query: {doc: grade}})."""
    corpus = folder / "corpus.jsonl"
    missing = [
        n for n in ("corpus.jsonl", "queries.jsonl", "qrels.tsv") if not (folder / n).exists()
    ]
    if missing:
        raise InvalidRequestError(
            f"{folder} is not a BEIR folder: missing {', '.join(missing)}",
            hint="a BEIR folder holds corpus.jsonl, queries.jsonl and qrels.tsv",
        )
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate((folder / "qrels.tsv").read_text().splitlines()):
        parts = line.split("\t")
        if number == 0 and not parts[-1].strip().lstrip("-").isdigit():
            continue  # header
        if len(parts) >= 3 and int(parts[2]) > 0:
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    decoder = msgspec.json.Decoder(BeirItem)
    queries = [
        q
        for line in (folder / "queries.jsonl").read_bytes().splitlines()
        if line.strip() and (q := decoder.decode(line))._id in qrels
    ]
    return corpus, queries, qrels


def corpus_hash(corpus: Path) -> str:
    digest = hashlib.sha256()
    with open(corpus, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()[:16]


def corpus_documents(corpus: Path, name: str) -> Iterator[tuple[NewDocument, LoadedDocument]]:
    decoder = msgspec.json.Decoder(BeirItem)
    for line in corpus.read_bytes().splitlines():
        if not line.strip():
            continue
        item = decoder.decode(line)
        text = f"{item.title}\n\n{item.text}".strip() if item.title else item.text
        sha = hashlib.sha256(text.encode()).hexdigest()
        doc = NewDocument(
            path=f"beir://{name}/{item._id}",
            filename=item._id,
            title=item.title or item._id,
            media_type="text/plain",
            sha256=sha,
            size=len(text.encode()),
            mtime=0.0,
            pages=1,
        )
        yield (
            doc,
            LoadedDocument(
                pages=[Page(number=1, text=text)],
                title=item.title,
                media_type="text/plain",
                warnings=[],
            ),
        )


def eval_data_dir(settings: Settings, corpus: Path, preset: str, *, shared: bool = False) -> Path:
    """Corpus ingested once per (corpus bytes, chunk layout): repeated runs are fast. `shared`:
    the one library per chunk layout whose collections hold corpora side by side."""
    params = PRESETS[preset]
    if shared:
        return (
            settings.data_path / "eval" / f"collections-{params.chunk_size}-{params.chunk_overlap}"
        )
    key = f"{corpus_hash(corpus)}-{params.chunk_size}-{params.chunk_overlap}"
    return settings.data_path / "eval" / f"{corpus.parent.name}-{key}"


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def score_query(ranked: list[str], relevant: dict[str, int]) -> dict[str, float]:
    top10 = ranked[:10]
    ideal = dcg(sorted(relevant.values(), reverse=True)[:10]) or 1.0
    rr = next((1.0 / (i + 1) for i, d in enumerate(top10) if d in relevant), 0.0)
    return {
        "ndcg@10": dcg([relevant.get(d, 0) for d in top10]) / ideal,
        "recall@10": len(set(top10) & relevant.keys()) / len(relevant),
        "recall@100": len(set(ranked[:100]) & relevant.keys()) / len(relevant),
        "mrr@10": rr,
    }


def run_queries(
    search: Callable[[str], list[str]],
    queries: list[BeirItem],
    qrels: dict[str, dict[str, int]],
) -> tuple[dict[str, float], list[float]]:
    """Mean metrics over queries and each query's latency in ms."""
    totals = {"ndcg@10": 0.0, "recall@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
    latencies = []
    for query in queries:
        started = time.perf_counter()
        ranked = search(query.text)
        latencies.append((time.perf_counter() - started) * 1000)
        for name, value in score_query(ranked, qrels[query._id]).items():
            totals[name] += value
    count = max(len(queries), 1)
    return {k: v / count for k, v in totals.items()}, latencies


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def documents_ranked(hits, depth: int = 100) -> list[str]:
    """Chunk hits → document ids (filename holds the BEIR id), best chunk wins."""
    ranked: dict[str, None] = {}
    for hit in hits:
        ranked.setdefault(hit.filename, None)
        if len(ranked) >= depth:
            break
    return list(ranked)


def make_report(metrics, latencies, *, queries, preset: str, mode: Mode, docs, chunks, secs):
    return EvalReport(
        queries=queries,
        preset=preset,
        mode=mode,
        p50_ms=round(percentile(latencies, 50), 2),
        p95_ms=round(percentile(latencies, 95), 2),
        documents=docs,
        chunks=chunks,
        ingest_seconds=round(secs, 1),
        **{k.replace("@", "_at_"): round(v, 4) for k, v in metrics.items()},
    )
