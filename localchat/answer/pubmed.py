"""PubMedQA through the answer path: yes/no/maybe accuracy with retrieval and without.

The folder holds corpus.jsonl (abstracts), queries.jsonl and answers.jsonl
({"_id", "final_decision"}). "With retrieval" is the normal RAG answer; "bare" asks the
generator the question alone (no documents), as the model `localchat-bare` would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import msgspec

from localchat.answer.evaluate import question_request, timed_answer
from localchat.errors import InvalidRequestError
from localchat.generation.base import GenerationParams
from localchat.retrieval.evaluate import percentile

BARE_SUFFIX = " Answer yes, no or maybe."
BARE_MAX_TOKENS = 48  # the verdict is in the first words; the rest would only cost time
_VERDICT = re.compile(r"\b(yes|no|maybe|mixed|unclear|not clear)\b", re.IGNORECASE)
_NAMES = {"mixed": "maybe", "unclear": "maybe", "not clear": "maybe"}


class PubmedReport(msgspec.Struct):
    questions: int
    accuracy_rag: float
    accuracy_bare: float
    answer_mode: str
    rag_ttft_p50_ms: float
    bare_ttft_p50_ms: float
    verdicts_rag: dict[str, int]
    verdicts_bare: dict[str, int]
    # Per gold class: the share of its questions given that verdict, and the counts of every
    # (gold → verdict) pair ("unknown": the answer named none).
    class_accuracy_rag: dict[str, float] = {}
    class_accuracy_bare: dict[str, float] = {}
    confusion_rag: dict[str, dict[str, int]] = {}
    confusion_bare: dict[str, dict[str, int]] = {}


class _Query(msgspec.Struct):
    _id: str = msgspec.field(name="_id")
    text: str = ""


class _Answer(msgspec.Struct):
    _id: str = msgspec.field(name="_id")
    final_decision: str = ""


def is_pubmed_folder(path: Path) -> bool:
    return path.is_dir() and (path / "answers.jsonl").is_file()


def read_pubmed(folder: Path, limit: int | None) -> list[tuple[str, str]]:
    """[(question, gold verdict)] in file order, the first `limit`."""
    for name in ("corpus.jsonl", "queries.jsonl", "answers.jsonl"):
        if not (folder / name).is_file():
            raise InvalidRequestError(
                f"{folder} has no {name}",
                hint="a PubMedQA folder holds corpus.jsonl, queries.jsonl and answers.jsonl",
            )
    gold = {
        a._id: a.final_decision
        for a in msgspec.json.Decoder(list[_Answer]).decode(_as_array(folder / "answers.jsonl"))
    }
    queries = msgspec.json.Decoder(list[_Query]).decode(_as_array(folder / "queries.jsonl"))
    pairs = [(q.text, gold[q._id]) for q in queries if q._id in gold]
    return pairs[:limit] if limit else pairs


def _as_array(path: Path) -> bytes:
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    return b"[" + b",".join(lines) + b"]"


def verdict_of(answer: str) -> str:
    """The first yes/no/maybe word of an answer ("unknown" when it gives none)."""
    found = _VERDICT.search(answer)
    if found is None:
        return "unknown"
    word = found.group(1).lower()
    return _NAMES.get(word, word)


def run_pubmed(
    service,
    pairs: list[tuple[str, str]],
    *,
    mode: str | None,
    on_item: Callable[[int, str, str, str], None] | None = None,
) -> PubmedReport:
    rag_right = bare_right = 0
    rag_ttft, bare_ttft = [], []
    rag_seen: dict[str, int] = {}
    bare_seen: dict[str, int] = {}
    rag_pairs: list[tuple[str, str]] = []
    bare_pairs: list[tuple[str, str]] = []
    for number, (question, gold) in enumerate(pairs):
        rag, ttft, _ = timed_answer(service, question_request(question, mode, "balanced"))
        bare_request = msgspec.structs.replace(
            question_request(question + BARE_SUFFIX, None, None),
            params=GenerationParams(max_tokens=BARE_MAX_TOKENS, temperature=0.0),
        )
        bare, bare_ms, _ = timed_answer(service, bare_request)
        rag_verdict, bare_verdict = verdict_of(rag.content), verdict_of(bare.content)
        rag_right += rag_verdict == gold
        bare_right += bare_verdict == gold
        rag_pairs.append((gold, rag_verdict))
        bare_pairs.append((gold, bare_verdict))
        rag_seen[rag_verdict] = rag_seen.get(rag_verdict, 0) + 1
        bare_seen[bare_verdict] = bare_seen.get(bare_verdict, 0) + 1
        rag_ttft.append(ttft)
        bare_ttft.append(bare_ms)
        if on_item is not None:
            on_item(number, gold, rag_verdict, bare_verdict)
    count = len(pairs)
    return PubmedReport(
        questions=count,
        accuracy_rag=round(rag_right / count, 4) if count else 0.0,
        accuracy_bare=round(bare_right / count, 4) if count else 0.0,
        answer_mode=service.mode(question_request("?", mode, "balanced")),
        rag_ttft_p50_ms=round(percentile(rag_ttft, 50), 1),
        bare_ttft_p50_ms=round(percentile(bare_ttft, 50), 1),
        verdicts_rag=rag_seen,
        verdicts_bare=bare_seen,
        class_accuracy_rag=class_accuracy(rag_pairs),
        class_accuracy_bare=class_accuracy(bare_pairs),
        confusion_rag=confusion(rag_pairs),
        confusion_bare=confusion(bare_pairs),
    )


def confusion(pairs: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """{gold: {verdict: count}} over (gold, verdict) pairs."""
    out: dict[str, dict[str, int]] = {}
    for gold, said in pairs:
        row = out.setdefault(gold, {})
        row[said] = row.get(said, 0) + 1
    return out


def class_accuracy(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """{gold: share of its questions answered with that verdict}."""
    return {
        gold: round(row.get(gold, 0) / sum(row.values()), 4)
        for gold, row in sorted(confusion(pairs).items())
    }
