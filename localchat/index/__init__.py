"""localchat.index package."""
