"""localchat.generation package."""
