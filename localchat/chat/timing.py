"""Generation timing, measured once for every kind of answer: tokens and time to first token."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from localchat.generation.base import Delta
from localchat.telemetry import Telemetry


def timed(deltas: Iterable[Delta], telemetry: Telemetry) -> Iterator[Delta]:
    """Pass `deltas` through, then report generated tokens, seconds and time to first token."""
    started, first, tokens = time.perf_counter(), None, 0
    for delta in deltas:
        if first is None and delta.text:
            first = time.perf_counter() - started
        if delta.usage is not None:
            tokens = delta.usage.completion_tokens
        yield delta
    telemetry.generated(tokens, time.perf_counter() - started, first)
