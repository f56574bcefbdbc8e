"""localchat.ingest package."""
