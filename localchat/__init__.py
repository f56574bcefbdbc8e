"""LocalChat: private chat with your documents (the pure core)."""

__version__ = "0.1.0"
