"""Watched folders: keep the library in sync with folders (`localchat watch`, `ingest.watch`)."""
