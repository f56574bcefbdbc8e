"""Streamed answer text → Markdown fragments that are safe to append as they arrive."""

from __future__ import annotations

import re

from tui.highlight import link_markers
from tui.sanitize import clean

HOLD_ESCAPE = 256  # chars: an escape sequence this recent may still be arriving
_PARTIAL_MARKER = re.compile(r"\[\d{0,3}$")


class MarkdownFeed:
    """Accumulates raw deltas; `take()` returns the next cleaned fragment with linked markers.

    Text is cleaned as a whole (a stream may split an escape sequence across deltas), and the
    tail that could still change — an escape sequence or a citation marker cut in half — is
    held back until more text, or the end, arrives.
    """

    def __init__(self, text: str = "") -> None:
        self.raw = text
        self.sent = 0  # length of the cleaned text already handed out

    def feed(self, delta: str) -> None:
        self.raw += delta

    @property
    def text(self) -> str:
        return clean(self.raw)

    def take(self, valid: set[int], final: bool = False) -> str:
        stable = self.raw
        if not final:
            escape = stable.rfind("\x1b")
            if escape != -1 and len(stable) - escape < HOLD_ESCAPE:
                stable = stable[:escape]
        cleaned = clean(stable)
        if not final and (partial := _PARTIAL_MARKER.search(cleaned)):
            cleaned = cleaned[: partial.start()]
        if len(cleaned) <= self.sent:
            return ""
        fragment, self.sent = cleaned[self.sent :], len(cleaned)
        return link_markers(fragment, valid)
