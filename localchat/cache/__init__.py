"""localchat.cache package."""
