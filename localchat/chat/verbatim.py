"""The answer exactly as generated, for structured output (JSON mode): the citation filter's
interface without its rewriting, since a marker or attribution inserted into JSON breaks it.
The sources still travel beside the answer (`sources[]`); there are no inline annotations."""

from __future__ import annotations

from localchat.chat.citations import CitationResult, source_entry
from localchat.chat.types import Source


class VerbatimText:
    def __init__(self, sources: list[Source]) -> None:
        self._sources = sources
        self._parts: list[str] = []

    def feed(self, text: str) -> str:
        self._parts.append(text)
        return text

    def finish(self) -> tuple[str, CitationResult]:
        return "", CitationResult(
            text="".join(self._parts),
            annotations=[],
            sources=[source_entry(s) for s in self._sources],
            cited=[],
            invalid_markers=0,
        )
