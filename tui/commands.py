"""The command palette's LocalChat actions (ctrl+p): every screen and action by name."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import SystemCommand

from localchat.config import PRESETS


def palette_commands(app) -> Iterator[SystemCommand]:
    screens = (
        ("Chat", "Ask questions about your documents (F2)", "chat"),
        ("Library", "Documents: add, delete, re-ingest (F3)", "library"),
        ("Presets", "Retrieval settings and their effect (F4)", "presets"),
    )
    for title, help_text, mode in screens:
        yield SystemCommand(title, help_text, lambda mode=mode: app.run_action(f"show('{mode}')"))
    yield SystemCommand("Help", "Every key binding (F1)", app.action_help)
    chat_actions = (
        ("New conversation", "Start an empty chat (ctrl+n)", "new"),
        ("Conversations", "Open, rename, delete or export saved chats (ctrl+o)", "conversations"),
        ("Explain the last answer", "Its sources and why they were retrieved", "sources"),
        ("Export conversation", "Save the current chat as Markdown", "export"),
    )
    for title, help_text, action in chat_actions:
        yield SystemCommand(title, help_text, lambda action=action: app.in_chat(action))
    yield SystemCommand(
        "Choose the answer model",
        "Models found on this machine: Ollama, LM Studio, HF cache, servers (F6)",
        app.action_models,
    )
    yield SystemCommand(
        "Choose the collection",
        "Which collection answers and receives new documents (ctrl+l)",
        app.action_pick_collection,
    )
    yield SystemCommand("Welcome wizard", "Models, sample documents, a first question", app.wizard)
    yield SystemCommand("Reconnect", "Find or restart the LocalChat server", app.connect)
    for name in PRESETS:
        yield SystemCommand(
            f"Use preset {name}",
            f"Switch retrieval to the {name} preset",
            lambda name=name: app.use_preset(name),
        )
