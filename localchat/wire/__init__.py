"""localchat.wire package."""
