"""localchat.store package."""
