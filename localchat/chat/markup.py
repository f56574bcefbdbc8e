"""Markup the model invents is dropped from answers: HTML/XML tags that are not in the sources
(a `</script>` once leaked into an answer) and prompt tags (`<|im_end|>`, `<|im_start|>`, …)
written out as plain text. Works on the stream: a tail that may still become a tag is held.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from localchat.generation.base import Delta

# A tag as the model writes one: <name …>, </name>, <name/>, or a chat-template marker <|…|>.
_TAG = re.compile(r"<\|[^<>|]{1,40}\|>|</?[A-Za-z][\w:.-]{0,40}(?:\s[^<>]{0,200})?/?>")
_HOLD_LIMIT = 256  # an unclosed "<" this far back is text, not a tag


class MarkupFilter:
    """`feed` returns the text safe to emit now; `finish` the held rest."""

    def __init__(self, sources: Iterable[str] = ()) -> None:
        self._allowed = {m.group() for text in sources for m in _TAG.finditer(text)}
        self._allowed = {t for t in self._allowed if not t.startswith("<|")}
        self._held = ""

    def feed(self, text: str) -> str:
        text = self._held + text
        cut = text.rfind("<")
        if cut >= 0 and ">" not in text[cut:] and len(text) - cut < _HOLD_LIMIT:
            text, self._held = text[:cut], text[cut:]
        else:
            self._held = ""
        return self._clean(text)

    def finish(self) -> str:
        rest, self._held = self._held, ""
        return self._clean(rest)

    def _clean(self, text: str) -> str:
        return _TAG.sub(lambda m: m.group() if m.group() in self._allowed else "", text)


def without_markup(deltas: Iterable[Delta], sources: Iterable[str] = ()) -> Iterator[Delta]:
    """The deltas with invented markup removed (the final Delta carries any held tail)."""
    markup = MarkupFilter(sources)
    for delta in deltas:
        text = markup.feed(delta.text)
        if delta.finish_reason is not None:
            text += markup.finish()
        if text or delta.finish_reason is not None:
            yield Delta(text, delta.finish_reason, delta.usage)
