"""Every key binding, gathered from the screens themselves (the help screen and docs use it)."""

from __future__ import annotations

from textual.binding import Binding

# Keys handled inside widgets rather than by a Binding, so not discoverable by introspection.
EXTRA_KEYS: list[tuple[str, str, str]] = [
    ("Chat", "enter", "Send the question"),
    ("Chat", "up / down", "Earlier / later questions"),
    ("Chat", "tab / shift+tab", "Question box ↔ answers"),
    ("Library", "tab / →", "Complete the path being typed"),
    ("Library", "enter", "Add the typed path"),
    ("Everywhere", "ctrl+p", "Every action by name"),
    ("Models", "enter", "Switch to the highlighted model"),
    ("Models", "1 … 9", "Switch to model n at once"),
]


def _scopes():
    from tui.app import LocalChatApp
    from tui.screens.chat import ChatScreen
    from tui.screens.conversations import ConversationsScreen
    from tui.screens.library import LibraryScreen
    from tui.screens.models import ModelsScreen
    from tui.screens.picker import PickerScreen
    from tui.screens.presets import PresetsScreen
    from tui.screens.sources import SourcesScreen
    from tui.screens.wizard import WizardScreen
    from tui.widgets.messages import AnswerMessage

    return [
        ("Everywhere", LocalChatApp),
        ("Chat", ChatScreen),
        ("Answer", AnswerMessage),
        ("Sources", SourcesScreen),
        ("Conversations", ConversationsScreen),
        ("Library", LibraryScreen),
        ("Browse", PickerScreen),
        ("Presets", PresetsScreen),
        ("Models", ModelsScreen),
        ("Wizard", WizardScreen),
    ]


def _pretty(key: str) -> str:
    names = {"slash": "/", "escape": "esc", "delete": "del", "space": "space"}
    return " / ".join(names.get(k, k) for k in key.split(","))


def binding_rows() -> list[tuple[str, str, str]]:
    """(scope, keys, what it does) for every described binding, in screen order."""
    rows: list[tuple[str, str, str]] = []
    for scope, cls in _scopes():
        for item in cls.BINDINGS:
            if not isinstance(item, Binding) or not item.description:
                continue
            if item.description.startswith("Source ") and item.key != "1":
                continue  # 1…9 are listed once
            key = "1 … 9" if item.description.startswith("Source ") else _pretty(item.key)
            # A short footer label keeps its long form in the tooltip.
            text = "Open source n" if key == "1 … 9" else (item.tooltip or item.description)
            rows.append((scope, key, text))
    extra = EXTRA_KEYS
    ordered = [scope for scope, _ in _scopes()]
    rows += extra
    rows.sort(key=lambda row: ordered.index(row[0]) if row[0] in ordered else 99)
    return rows


def markdown_table() -> str:
    lines = ["| Where | Keys | Does |", "|---|---|---|"]
    lines += [f"| {scope} | `{keys}` | {text} |" for scope, keys, text in binding_rows()]
    return "\n".join(lines)
