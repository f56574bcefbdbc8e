"""localchat.chat package."""
