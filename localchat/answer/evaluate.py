"""`localchat eval --answers FILE`: a QA set through the real answer path, scored.

Questions go through ChatService in process (retrieval, evidence, the configured generator;
the answer cache is bypassed so every answer is fresh), one at a time, timed from the
request to the first text and to the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import msgspec

from localchat.answer.scoring import QAItem, Scored, score_answer
from localchat.chat.results import ChatRequest, ChatResult
from localchat.errors import InvalidRequestError
from localchat.generation.base import ChatMessage, GenerationParams
from localchat.retrieval.evaluate import percentile


class AnswerReport(msgspec.Struct):
    questions: int
    answerable: int
    unanswerable: int
    fact_recall: float  # answerable questions whose answer holds every fact
    citation_precision: float  # cited sources that are the right file/page
    right_source_cited: float  # answerable questions citing at least one right source
    declined: int  # unanswerable questions declined
    false_declines: int  # answerable questions declined
    unsupported_sentence_rate: float
    ttft_p50_ms: float
    ttft_p95_ms: float
    total_p50_ms: float
    answer_mode: str
    preset: str
    items: list[Scored] = []


def read_items(path: Path) -> list[QAItem]:
    if not path.is_file():
        raise InvalidRequestError(
            f"{path} is not a file", hint="pass a JSONL question set, e.g. docs-qa.jsonl"
        )
    decoder = msgspec.json.Decoder(QAItem)
    items = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(decoder.decode(line))
        except msgspec.DecodeError as exc:
            raise InvalidRequestError(
                f"{path}:{number} is not a question line: {exc}",
                hint='each line is {"id", "question", "file", "page", "answer", "facts", ...}',
            ) from None
    return items


def timed_answer(service, request: ChatRequest) -> tuple[ChatResult, float, float]:
    """(result, ms to the first text, ms in all) of one request through the service."""
    started = time.perf_counter()
    first = None
    result = None
    for event in service.stream(request):
        if event.kind == "delta" and event.text and first is None:
            first = time.perf_counter() - started
        if event.kind == "done":
            result = event.result
    total = time.perf_counter() - started
    assert result is not None
    return result, 1000 * (first if first is not None else total), 1000 * total


def question_request(question: str, mode: str | None, preset: str | None) -> ChatRequest:
    return ChatRequest(
        [ChatMessage("user", question)],
        GenerationParams(temperature=0.0),
        preset=preset,
        use_cache=False,
        answer_mode=mode,
    )


def run_answers(
    service,
    items: Iterable[QAItem],
    *,
    mode: str | None,
    preset: str = "balanced",
    on_item: Callable[[Scored], None] | None = None,
) -> AnswerReport:
    scored = []
    for item in items:
        result, ttft, total = timed_answer(service, question_request(item.question, mode, preset))
        one = score_answer(item, result, ttft, total)
        scored.append(one)
        if on_item is not None:
            on_item(one)
    resolved = service.mode(question_request("?", mode, preset))
    return make_report(scored, resolved, preset)


def make_report(scored: list[Scored], mode: str, preset: str) -> AnswerReport:
    answerable = [s for s in scored if s.answerable]
    unanswerable = [s for s in scored if not s.answerable]
    cited = sum(s.cited for s in answerable)
    sentences = sum(s.sentences for s in scored)
    ttfts = [s.ttft_ms for s in scored]
    totals = [s.total_ms for s in scored]
    return AnswerReport(
        questions=len(scored),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        fact_recall=_share(sum(s.correct for s in answerable), len(answerable)),
        citation_precision=_share(sum(s.cited_right for s in answerable), cited),
        right_source_cited=_share(sum(s.cited_right > 0 for s in answerable), len(answerable)),
        declined=sum(s.declined for s in unanswerable),
        false_declines=sum(s.declined for s in answerable),
        unsupported_sentence_rate=_share(sum(s.unsupported for s in scored), sentences),
        ttft_p50_ms=round(percentile(ttfts, 50), 1) if ttfts else 0.0,
        ttft_p95_ms=round(percentile(ttfts, 95), 1) if ttfts else 0.0,
        total_p50_ms=round(percentile(totals, 50), 1) if totals else 0.0,
        answer_mode=mode,
        preset=preset,
        items=scored,
    )


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
