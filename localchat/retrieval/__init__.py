"""localchat.retrieval package."""
