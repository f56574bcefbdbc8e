"""Make document text and model output safe to show in a terminal (DESIGN §7).

The one sanitiser: the CLI (`localchat ask`) and the TUI both show text through it.
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (colours, cursor moves), OSC (titles, hyperlinks, clipboard),
# DCS/SOS/PM/APC strings, and two-character escapes. 8-bit C1 forms are caught below.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 controls except tab and newline, DEL, C1 controls, and bidi overrides that can make
# shown text differ from stored text ("Trojan Source").
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The start of an escape sequence whose end has not arrived yet (text shown as it streams).
_UNFINISHED = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[PX^_][^\x1b]*|[ -/]*)?")
_MAX_HELD = 64  # longer than any sequence worth waiting for: shown (cleaned) instead


def clean(text: str) -> str:
    """Text with terminal escape sequences and control characters removed (\\n and \\t kept)."""
    text = text.replace("\r\n", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def one_line(text: str, limit: int = 0) -> str:
    """Cleaned text on one line (whitespace runs become one space), cut to `limit` if set."""
    flat = " ".join(clean(text).split())
    if limit and len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat


class StreamCleaner:
    """`clean` for text arriving in pieces: an escape sequence split across pieces is held
    back until it is complete, so it is removed whole."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        text = self._held + text
        cut = text.rfind("\x1b")
        if cut >= 0 and _UNFINISHED.fullmatch(text, cut) and len(text) - cut < _MAX_HELD:
            text, self._held = text[:cut], text[cut:]
        else:
            self._held = ""
        return clean(text)

    def finish(self) -> str:
        rest, self._held = self._held, ""
        return clean(rest)
