"""Markup and model-control text in generated answers that no source contains is removed.

A small model copies the prompt's scaffolding (`<source id="7" …>`, chat-template tokens) or
invents HTML (`</script>`); none of it is an answer, and a client rendering HTML must never
receive a tag the documents did not hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_TAG = re.compile(r"</?[A-Za-z][\w:-]{0,30}(?:\s[^<>\n]{0,200})?/?>|<\|[^|<>\n]{0,40}\|>")
_PROMPT_LINE = re.compile(r"^\s*(?:Question|Evidence|Source \[\d+\][^:\n]{0,160}):\s*", re.M)


def strip_markup(text: str, sources: Iterable[str]) -> str:
    """`text` without tags or template tokens unless a source holds that exact tag."""
    known = "\n".join(sources)

    def drop(match: re.Match[str]) -> str:
        return match.group() if match.group() in known else ""

    return _PROMPT_LINE.sub("", _TAG.sub(drop, text))
