"""How well the generative-answer verifier (localchat/answer/verify.py) separates true
sentences from invented ones, on docs-qa, for a grid of its thresholds.

Positives: each answerable question's hand-written reference answer (a paraphrase of its
evidence, `answer` in docs-qa.jsonl) checked against that question's own evidence and
sources, as the answer path would check a sentence the model wrote. Negatives: the reference
answers of the other questions, checked against this question's sources, but only where this
question's sources do not hold the other question's evidence (then it would be true); and the
hard kind a small model writes, the question's own reference answer with one fact swapped for
another question's fact ("…within 73 seconds" for "…within 100 seconds").

    python -m bench.answer_support --data-dir LIB ../shared/eval/docs-qa/docs-qa.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import msgspec

from localchat.answer import verify
from localchat.answer.evidence import PASSAGES, select_evidence
from localchat.answer.scoring import QAItem
from localchat.chat.service import ChatService, hit_to_source
from localchat.config import load_settings
from localchat.resources import Resources

OVERLAPS = (0.6, 0.65, 0.7, 0.75, 0.8)
COSINES = (0.6, 0.65, 0.7, 0.75, 0.8)
WITH_COSINE = (0.3, 0.4, 0.5)


class Case(msgspec.Struct):
    question: str
    sentence: str
    true: bool
    overlap: float  # best over sources: share of the sentence's content words in it
    cosine: float  # best cosine to an evidence sentence of that source
    supported: bool  # what verify.check_sentence decided (all its rules, as configured)
    anchors: bool  # its names and figures are all in the best source (verify's anchor rule)


def swapped(item: QAItem, items: list[QAItem]) -> list[str]:
    """The reference answer with each fact it contains replaced by another question's fact."""
    others = [f for other in items if other.id != item.id for f in other.facts]
    answer = item.answer or ""
    out = []
    for n, fact in enumerate(item.facts):
        if fact.lower() in answer.lower() and others:
            start = answer.lower().index(fact.lower())
            other = others[(len(item.id) * 7 + n * 13) % len(others)]
            out.append(answer[:start] + other + answer[start + len(fact) :])
    return out


def cases(service: ChatService, path: Path) -> list[Case]:
    decoder = msgspec.json.Decoder(QAItem)
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    items = [item for item in map(decoder.decode, lines) if item.answerable]
    out = []
    for item in items:
        retrieval = service.retrieve(item.question, "balanced", use_cache=False)
        sources = [hit_to_source(n, hit) for n, hit in enumerate(retrieval.hits, start=1)]
        sources = sources[:PASSAGES]
        evidence = select_evidence(item.question, sources, service.vectors)
        texts = {s.index: s.text for s in sources}
        flat = " ".join(" ".join(s.text.split()) for s in sources)
        for fake in swapped(item, items):
            out.append(_case(item.id, fake, False, texts, evidence, service))
        for other in items:
            true = other.id == item.id
            if not true and " ".join((other.evidence or "").split())[:60] in flat:
                continue  # its evidence is in these sources: not a negative
            out.append(_case(item.id, other.answer or "", true, texts, evidence, service, other.id))
    return out


def _case(question, sentence, true, texts, evidence, service, name=None) -> Case:
    support = verify.check_sentence(sentence, [], texts, evidence.items, service.vectors)
    source = texts.get(support.source, "") if support.source is not None else ""
    anchors = not verify.unsupported_anchors(sentence, source)
    label = sentence if name is None else name
    return Case(question, label, true, support.overlap, support.cosine, support.supported, anchors)


def rates(found: list[Case], overlap: float, cosine: float, with_cosine: float) -> dict:
    def kept(c: Case) -> bool:
        near = c.overlap >= overlap or (c.cosine >= cosine and c.overlap >= with_cosine)
        return near and c.anchors

    swaps = [c for c in found if not c.true and " " in c.sentence]

    true = [c for c in found if c.true]
    false = [c for c in found if not c.true]
    return {
        "overlap": overlap,
        "cosine": cosine,
        "overlap_with_cosine": with_cosine,
        "true_kept": round(sum(map(kept, true)) / len(true), 4),
        "false_kept": round(sum(map(kept, false)) / len(false), 4),
        "swapped_kept": round(sum(map(kept, swaps)) / len(swaps), 4) if swaps else 0.0,
        "true": len(true),
        "false": len(false),
        "swapped": len(swaps),
    }


def decided(found: list[Case]) -> dict:
    """The verifier's own decisions (all rules, the figure check included)."""
    true = [c for c in found if c.true]
    swaps = [c for c in found if not c.true and " " in c.sentence]
    other = [c for c in found if not c.true and " " not in c.sentence]
    return {
        "true_kept": round(sum(c.supported for c in true) / len(true), 4),
        "swapped_kept": round(sum(c.supported for c in swaps) / len(swaps), 4),
        "other_kept": round(sum(c.supported for c in other) / len(other), 4),
    }


def main(argv: list[str] | None = None) -> int:
    # usearch imported before onnxruntime (the embedder) crashes the process on this machine;
    # Resources.open imports them in a safe order as long as nothing imported usearch first.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("qa", help="docs-qa.jsonl")
    parser.add_argument("--data-dir", required=True, help="a library of ../shared/docs-corpus")
    args = parser.parse_args(argv)
    runtime = Resources.open(load_settings(data_dir=args.data_dir), isolate_parsing=False)
    try:
        found = cases(ChatService(runtime), Path(args.qa))
    finally:
        runtime.close()
    grid = [rates(found, *point) for point in itertools.product(OVERLAPS, COSINES, WITH_COSINE)]
    current = rates(
        found, verify.SUPPORT_OVERLAP, verify.SUPPORT_COSINE, verify.SUPPORT_OVERLAP_WITH_COSINE
    )
    report = {"verifier": decided(found), "current": current, "grid": grid}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
