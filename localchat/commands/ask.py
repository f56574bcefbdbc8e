"""`localchat ask "question" [--preset P] [--json]`: one answer from the documents, with sources."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from localchat.chat.service import ChatRequest, ChatResult, ChatService
from localchat.commands.output import print_json
from localchat.config import Settings
from localchat.generation.base import ChatMessage, GenerationParams
from localchat.resources import Resources
from localchat.sanitize import StreamCleaner, clean


def main(args: argparse.Namespace, settings: Settings) -> int:
    runtime = Resources.open(settings, isolate_parsing=False)
    try:
        service = ChatService(runtime)
        request = ChatRequest(
            messages=[ChatMessage("user", args.query)],
            params=GenerationParams(max_tokens=settings.models.max_answer_tokens),
            preset=args.preset or "active",
            collection=args.collection or "default",
        )
        if args.json:
            result = service.answer(request)
            print_json(as_json(result, request.preset, runtime.generator.model_id))
            return 0
        result = stream_to(sys.stdout, service, request)
    finally:
        runtime.close()
    print_sources(result)
    return 0


def stream_to(out, service: ChatService, request: ChatRequest) -> ChatResult:
    """Print the answer as it is generated; return the finished result."""
    result = None
    cleaner = StreamCleaner()
    for event in service.stream(request):
        if event.kind == "delta":
            out.write(cleaner.feed(event.text))
            out.flush()
        elif event.kind == "done":
            result = event.result
    out.write(cleaner.finish() + "\n")
    assert result is not None
    return result


def print_sources(result: ChatResult, out=None) -> None:
    out = out or sys.stdout
    if not result.sources:
        return
    cited = cited_indexes(result)
    if cited:
        out.write("\nSources (* cited):\n")
    else:  # say so rather than promise a mark that no line will carry
        out.write("\nSources (the answer cites none of them by number):\n")
    for source in result.sources:
        mark = "*" if source.index in cited else " "
        out.write(
            f"{mark}[{source.index}] {clean(source.filename)}, page {source.page} "
            f"(relevance {source.relevance:.2f})\n"
        )
    if result.sources_dropped:
        out.write(f"  ({result.sources_dropped} more passages did not fit the context)\n")


def cited_indexes(result: ChatResult) -> set[int]:
    """Source numbers the answer cites: each annotation spans a "[n]" marker."""
    spans = (a.url_citation for a in result.annotations)
    return {int(result.content[s.start_index + 1 : s.end_index - 1]) for s in spans}


def as_json(result: ChatResult, preset: str | None, model: str) -> dict[str, Any]:
    return {
        "answer": result.content,
        "finish_reason": result.finish_reason,
        "preset": preset,
        "model": model,
        "cache": result.cache,
        "sources": result.sources,
        "annotations": result.annotations,
        "usage": {
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
            "total_tokens": result.prompt_tokens + result.completion_tokens,
            "sources_used": result.sources_used,
            "sources_dropped": result.sources_dropped,
            "invalid_markers": result.invalid_markers,
            "retrieval_ms": round(result.retrieval_ms, 2),
        },
    }
