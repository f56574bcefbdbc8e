"""`localchat eval --answers`: a small QA set and a small PubMedQA folder, end to end in process."""

from __future__ import annotations

import argparse
import json

import pytest

from localchat.answer.scoring import QAItem, right_source, unsupported_sentences
from localchat.commands.evaluate_answers import answers_main
from localchat.config import with_rag
from localchat.embedding.embedder import HashEmbedder
from localchat.errors import InvalidRequestError
from localchat.generation.scripted import ScriptedGenerator

KEYS = {
    "questions",
    "fact_recall",
    "citation_precision",
    "declined",
    "unanswerable",
    "unsupported_sentence_rate",
    "ttft_p50_ms",
    "ttft_p95_ms",
    "total_p50_ms",
    "answer_mode",
}
GCCGO = (
    "The intermediate representation, known as GOGO, is a collection of C++ classes. "
    "This version of GOGO is eventually converted to GENERIC and passed to the middle-end.\n"
)
NUTS = "Wing-type nuts are made of anodized aluminum alloy, cadmium-plated steel or brass.\n"
QUESTIONS = [
    {
        "id": "a1",
        "question": "What is the intermediate representation GOGO converted to?",
        "file": "gccgo.txt",
        "page": None,
        "answer": "GENERIC",
        "facts": ["GENERIC"],
        "evidence": "converted to GENERIC",
    },
    {
        "id": "a2",
        "question": "What are wing-type nuts made of?",
        "file": "nuts.txt",
        "page": None,
        "answer": "anodized aluminum",
        "facts": ["anodized aluminum"],
        "evidence": "anodized aluminum",
    },
    {
        "id": "u1",
        "question": "Which airline bought the first zeppelin in Peru?",
        "file": None,
        "page": None,
        "answer": None,
        "facts": [],
        "evidence": None,
    },
]


def args(path, **more) -> argparse.Namespace:
    values = {"answers": str(path), "json": True, "corpus": None, "limit": None}
    values |= {"answer_mode": "extractive"} | more
    return argparse.Namespace(**values)


def run(settings, arguments, capsys) -> dict:
    settings = with_rag(settings, decline_score=0.6)  # the hash embedder's scale
    code = answers_main(
        arguments, settings, embedder=HashEmbedder(), generator=ScriptedGenerator(["Maybe."])
    )
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_a_small_qa_set_is_answered_and_scored(settings, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "gccgo.txt").write_text(GCCGO)
    (corpus / "nuts.txt").write_text(NUTS)
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n")
    report = run(settings, args(qa, corpus=str(corpus)), capsys)
    assert report.keys() >= KEYS
    assert report["questions"] == 3 and report["unanswerable"] == 1
    assert report["answer_mode"] == "extractive"
    assert report["fact_recall"] == 1.0
    assert report["citation_precision"] == 1.0
    assert report["declined"] == 1
    assert report["ttft_p50_ms"] > 0 and report["total_p50_ms"] >= report["ttft_p50_ms"]
    by_id = {item["id"]: item for item in report["items"]}
    assert "GENERIC" in by_id["a1"]["answer"]


def test_pubmed_folder_reports_rag_and_bare_accuracy(settings, tmp_path, capsys):
    folder = tmp_path / "pubmedqa"
    folder.mkdir()
    abstracts = {
        "1": "Statins lowered the risk of stroke in adults with high cholesterol.",
        "2": "Vitamin C did not shorten colds in adults; no significant effect was seen.",
    }
    (folder / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "title": "", "text": v}) for k, v in abstracts.items())
    )
    (folder / "queries.jsonl").write_text(
        json.dumps({"_id": "q1", "text": "Do statins lower the risk of stroke in adults?"})
        + "\n"
        + json.dumps({"_id": "q2", "text": "Does vitamin C shorten colds in adults?"})
    )
    (folder / "answers.jsonl").write_text(
        json.dumps({"_id": "q1", "final_decision": "yes"})
        + "\n"
        + json.dumps({"_id": "q2", "final_decision": "no"})
    )
    report = run(settings, args(folder), capsys)
    assert report["questions"] == 2
    assert report["accuracy_rag"] == 1.0  # verdicts from the evidence wording
    assert report["accuracy_bare"] == 0.0  # the scripted bare model always says "Maybe."
    assert report["verdicts_bare"] == {"maybe": 2}
    assert report["confusion_rag"] == {"yes": {"yes": 1}, "no": {"no": 1}}
    assert report["confusion_bare"] == {"yes": {"maybe": 1}, "no": {"maybe": 1}}
    assert report["class_accuracy_rag"] == {"no": 1.0, "yes": 1.0}
    assert report["class_accuracy_bare"] == {"no": 0.0, "yes": 0.0}


def test_a_missing_file_is_a_clear_error(settings, tmp_path):
    with pytest.raises(InvalidRequestError, match="is not a file"):
        answers_main(args(tmp_path / "nope.jsonl"), settings, embedder=HashEmbedder())


def test_a_broken_line_names_its_number(settings, tmp_path):
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps(QUESTIONS[0]) + "\n{not json\n")
    with pytest.raises(InvalidRequestError, match=r"qa\.jsonl:2"):
        answers_main(args(qa), settings, embedder=HashEmbedder())


def test_citations_count_only_the_right_file_and_page():
    item = QAItem(id="x", question="?", file="a.pdf", page=3, answer="y", alt_files=["a.md"])
    assert right_source(item, {"filename": "a.pdf", "page": 3})
    assert not right_source(item, {"filename": "a.pdf", "page": 4})
    assert right_source(item, {"filename": "a.md", "page": 0})
    assert not right_source(item, {"filename": "b.pdf", "page": 3})


def test_an_answer_sentence_not_in_its_source_counts_as_unsupported():
    sources = {1: "GOGO is converted to GENERIC.", 2: "Cats sleep all day."}
    text = "Yes. GOGO is converted to GENERIC [1]. Rust compiles quickly everywhere [2]."
    assert unsupported_sentences(text, sources) == (2, 1)
