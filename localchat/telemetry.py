"""How the core reports what it does; server/ turns these calls into Prometheus metrics."""

from __future__ import annotations

from typing import Protocol


class Telemetry(Protocol):
    def cache(self, tier: str, hit: bool) -> None: ...
    def retrieval(self, seconds: float, chunks: int) -> None: ...
    def ingested(self, documents: int, chunks: int, tokens: int, seconds: float) -> None: ...
    def generated(self, tokens: int, seconds: float, ttft_seconds: float | None) -> None: ...
    def stored(self, documents: int, chunks: int) -> None: ...


class NullTelemetry:
    """Records nothing (CLI, tests)."""

    def cache(self, tier: str, hit: bool) -> None:
        pass

    def retrieval(self, seconds: float, chunks: int) -> None:
        pass

    def ingested(self, documents: int, chunks: int, tokens: int, seconds: float) -> None:
        pass

    def generated(self, tokens: int, seconds: float, ttft_seconds: float | None) -> None:
        pass

    def stored(self, documents: int, chunks: int) -> None:
        pass


class RecordingTelemetry(NullTelemetry):
    """Keeps every call, for tests."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def cache(self, tier: str, hit: bool) -> None:
        self.calls.append(("cache", tier, hit))

    def retrieval(self, seconds: float, chunks: int) -> None:
        self.calls.append(("retrieval", seconds, chunks))

    def ingested(self, documents: int, chunks: int, tokens: int, seconds: float) -> None:
        self.calls.append(("ingested", documents, chunks, tokens, seconds))

    def generated(self, tokens: int, seconds: float, ttft_seconds: float | None) -> None:
        self.calls.append(("generated", tokens, seconds, ttft_seconds))

    def stored(self, documents: int, chunks: int) -> None:
        self.calls.append(("stored", documents, chunks))
