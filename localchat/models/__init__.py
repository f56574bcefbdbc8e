"""localchat.models package."""
