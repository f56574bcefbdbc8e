"""`localchat eval`: BEIR folders read, metrics computed by hand, corpus ingested once."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pytest

from localchat.commands import evaluate as eval_command
from localchat.embedding.embedder import HashEmbedder
from localchat.errors import InvalidRequestError
from localchat.retrieval.evaluate import (
    corpus_documents,
    dcg,
    documents_ranked,
    eval_data_dir,
    percentile,
    read_beir,
    run_queries,
    score_query,
)
from localchat.retrieval.retriever import Hit
from localchat.store.store import Store

CORPUS = {
    "d1": ("Hydraulic pumps", "The hydraulic pump seals wear out after ten thousand hours."),
    "d2": ("Turbine blades", "Turbine blades crack when the engine overheats repeatedly."),
    "d3": ("", "Rivets on the fuselage are inspected for corrosion every annual check."),
    "d4": ("Landing gear", "Landing gear struts need nitrogen servicing and fluid checks."),
    "d5": ("Propellers", "Propeller blades are balanced dynamically to reduce vibration."),
}
QUERIES = {
    "q1": "When do hydraulic pump seals wear out?",
    "q2": "Why do turbine blades crack?",
    "q3": "How are fuselage rivets inspected for corrosion?",
    "q9": "A question nobody judged",
}
QRELS = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t2\nq2\td5\t0\nq3\td3\t1\n"


def write_beir(folder: Path) -> Path:
    folder.mkdir(parents=True)
    lines = [
        json.dumps({"_id": key, "title": title, "text": text})
        for key, (title, text) in CORPUS.items()
    ]
    (folder / "corpus.jsonl").write_text("\n".join(lines) + "\n\n")
    (folder / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "text": v}) for k, v in QUERIES.items()) + "\n"
    )
    (folder / "qrels.tsv").write_text(QRELS)
    return folder


def hit(filename: str) -> Hit:
    return Hit(0, 0, filename, 1, 0, "", "")


def test_read_beir_skips_the_header_zero_grades_and_unjudged_queries(tmp_path):
    corpus, queries, qrels = read_beir(write_beir(tmp_path / "mini"))
    assert corpus == tmp_path / "mini" / "corpus.jsonl"
    assert [q._id for q in queries] == ["q1", "q2", "q3"]
    assert qrels == {"q1": {"d1": 1}, "q2": {"d2": 2}, "q3": {"d3": 1}}


def test_a_folder_without_beir_files_names_what_is_missing(tmp_path):
    (tmp_path / "corpus.jsonl").write_text("")
    with pytest.raises(InvalidRequestError) as caught:
        read_beir(tmp_path)
    assert "missing queries.jsonl, qrels.tsv" in caught.value.message
    assert "corpus.jsonl" in caught.value.hint


def test_corpus_documents_carry_title_and_text_under_a_beir_path(tmp_path):
    corpus, _, _ = read_beir(write_beir(tmp_path / "mini"))
    docs = {doc.filename: (doc, loaded) for doc, loaded in corpus_documents(corpus, "mini")}
    assert sorted(docs) == sorted(CORPUS)  # the blank line is skipped
    doc, loaded = docs["d1"]
    assert doc.path == "beir://mini/d1" and doc.title == "Hydraulic pumps"
    assert loaded.pages[0].text.startswith("Hydraulic pumps\n\nThe hydraulic pump")
    untitled, loaded3 = docs["d3"]
    assert untitled.title == "d3" and loaded3.pages[0].text == CORPUS["d3"][1]
    assert doc.size == len(loaded.pages[0].text.encode())


def test_scores_match_hand_computed_values():
    perfect = score_query(["a", "b"], {"a": 1})
    assert perfect == {"ndcg@10": 1.0, "recall@10": 1.0, "recall@100": 1.0, "mrr@10": 1.0}
    # The one relevant document at rank 2: DCG = 1/log2(3); MRR = 1/2.
    second = score_query(["x", "a"], {"a": 1})
    assert second["ndcg@10"] == pytest.approx(1 / math.log2(3))
    assert second["mrr@10"] == 0.5
    # Beyond 10 only recall@100 sees it.
    deep = score_query([f"x{i}" for i in range(20)] + ["a"], {"a": 1, "b": 2})
    assert deep == {"ndcg@10": 0.0, "recall@10": 0.0, "recall@100": 0.5, "mrr@10": 0.0}
    assert dcg([2, 1]) == pytest.approx(3 + 1 / math.log2(3))


def test_percentile_and_ranking_helpers():
    assert percentile([], 50) == 0.0
    assert percentile([5.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([5.0, 1.0, 3.0, 2.0], 95) == 5.0
    ranked = documents_ranked([hit("a"), hit("b"), hit("a"), hit("c")], depth=2)
    assert ranked == ["a", "b"]  # best chunk wins, depth counts documents


def test_run_queries_averages_over_queries(tmp_path):
    _, queries, qrels = read_beir(write_beir(tmp_path / "mini"))
    answers = {"q1": ["d1"], "q2": ["d9", "d2"], "q3": []}
    by_text = {q.text: answers[q._id] for q in queries}
    metrics, latencies = run_queries(lambda text: by_text[text], queries, qrels)
    assert len(latencies) == 3 and all(ms >= 0 for ms in latencies)
    assert metrics["mrr@10"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert metrics["recall@10"] == pytest.approx(2 / 3)


def test_run_eval_ranks_the_judged_documents_and_ingests_once(tmp_path, settings):
    folder = write_beir(tmp_path / "mini")
    modes = ("hybrid", "bm25", "vector")
    first = eval_command.run_eval(
        settings, folder, preset="fast", modes=modes, embedder=HashEmbedder(), quiet=True
    )
    assert [r.mode for r in first] == list(modes)
    bm25 = first[1]
    assert (bm25.queries, bm25.documents, bm25.preset) == (3, 5, "fast")
    assert bm25.ndcg_at_10 == 1.0 and bm25.recall_at_100 == 1.0  # words shared with the answer
    assert first[0].mrr_at_10 == 1.0
    assert eval_data_dir(settings, folder / "corpus.jsonl", "fast").is_dir()
    again = eval_command.run_eval(
        settings, folder, preset="fast", limit=1, embedder=HashEmbedder(), quiet=True
    )
    assert again[0].queries == 1
    assert again[0].ingest_seconds == 0.0  # the cached data dir was reused


@pytest.fixture
def hash_embedder(monkeypatch):
    """`localchat eval` opens its own embedder: a fast fake here."""
    original = eval_command.run_eval

    def run_eval(*args, **kwargs):
        return original(*args, **kwargs, embedder=HashEmbedder())

    monkeypatch.setattr(eval_command, "run_eval", run_eval)


def test_eval_command_prints_json_and_a_table(tmp_path, settings, capsys, hash_embedder):
    folder = write_beir(tmp_path / "mini")
    args = argparse.Namespace(dir=str(folder), preset="fast", limit=None, mode="all", json=True)
    assert eval_command.main(args, settings) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["mode"] for r in data["runs"]] == ["hybrid", "bm25", "vector"]
    assert data["ndcg@10"] == data["runs"][0]["ndcg@10"]  # the first run, flat, for scripts
    one = argparse.Namespace(dir=str(folder), preset="fast", limit=2, mode="bm25", json=True)
    assert eval_command.main(one, settings) == 0
    assert json.loads(capsys.readouterr().out)["queries"] == 2
    table = argparse.Namespace(dir=str(folder), preset="fast", limit=None, mode="bm25", json=False)
    assert eval_command.main(table, settings) == 0
    out = capsys.readouterr().out
    assert "mini: 3 queries, preset fast" in out and "1.0000" in out


def test_eval_in_a_collection_ranks_within_it_beside_other_corpora(tmp_path, settings):
    folder = write_beir(tmp_path / "mini")
    twin = tmp_path / "twin"  # the same texts under other ids: perfect distractors
    twin.mkdir()
    lines = [
        json.dumps({"_id": f"twin-{k}", "title": t, "text": x}) for k, (t, x) in CORPUS.items()
    ]
    (twin / "corpus.jsonl").write_text("\n".join(lines) + "\n")
    (twin / "queries.jsonl").write_text((folder / "queries.jsonl").read_text())
    (twin / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\n")
    run = eval_command.run_eval
    run(settings, twin, preset="fast", embedder=HashEmbedder(), quiet=True, collection="twin")
    (bm25,) = run(
        settings, folder, preset="fast", modes=("bm25",), embedder=HashEmbedder(), quiet=True,
        collection="mini",
    )  # fmt: skip
    assert bm25.documents == 5 and bm25.ndcg_at_10 == 1.0 and bm25.recall_at_100 == 1.0
    shared = eval_data_dir(settings, folder / "corpus.jsonl", "fast", shared=True)
    store = Store(shared / "localchat.db")
    try:
        counts = {c.name: c.documents for c in store.list_collections()}
        assert counts == {"default": 0, "mini": 5, "twin": 5} and store.counts()[0] == 10
    finally:
        store.close()
    again = run(
        settings, folder, preset="fast", embedder=HashEmbedder(), quiet=True, collection="mini"
    )
    assert again[0].ingest_seconds == 0.0  # the collection was already there
