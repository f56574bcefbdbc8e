"""Errors as a person reads them: the core's message and next step, sentence-cased."""

from __future__ import annotations

import re

from localchat.errors import LocalChatError
from tui.sanitize import one_line

_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-z])")


def readable(error: LocalChatError) -> str:
    """`error.user_message()` on one line with each sentence starting in capitals."""
    text = one_line(error.user_message())
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)
