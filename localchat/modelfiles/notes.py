"""One line per model for people choosing: its size and what that means for speed and answers."""

from __future__ import annotations

import httpx

from localchat.modelfiles.entry import ModelEntry

# (parameters below, what to expect on a laptop CPU)
CHAT_NOTES = [
    (300e6, "fastest, short answers that are often wrong"),
    (800e6, "fast, better answers"),
    (2.5e9, "slower, much better answers"),
    (5e9, "slow on a laptop CPU, strong answers"),
    (float("inf"), "needs a GPU or patience, the best answers"),
]


def size_label(parameters: int) -> str:
    """134515008 → "135M", 1_543_714_304 → "1.5B"; "" when unknown."""
    if parameters <= 0:
        return ""
    if parameters >= 1e9:
        return f"{parameters / 1e9:.1f}B".replace(".0B", "B")
    return f"{round(parameters / 1e6)}M"


def note(entry: ModelEntry) -> str:
    label = size_label(entry.parameters)
    prefix = f"{label}: " if label else ""
    if entry.kind == "embedding":
        return f"{prefix}embeddings for search (changing it re-embeds the library)"
    if entry.kind != "chat":
        return f"{prefix}not a text model LocalChat can use"
    if entry.origin == "server":
        host = httpx.URL(entry.url).host or entry.url
        speed = next(text for limit, text in CHAT_NOTES if entry.parameters < limit)
        where = f"served by {host}"
        return (
            f"{prefix}{where}; {speed}" if entry.parameters else f"{where}; speed is that server's"
        )
    text = next(text for limit, text in CHAT_NOTES if entry.parameters < limit)
    return f"{prefix}{text}" + (" (bundled)" if entry.bundled else "")
