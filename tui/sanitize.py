"""The TUI shows document text and model output through the core's one sanitiser."""

from __future__ import annotations

from localchat.sanitize import clean, one_line

__all__ = ["clean", "one_line"]
