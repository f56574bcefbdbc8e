"""The library: the one owner of corpus writes (documents, chunks, vectors, the index)."""

from localchat.library.library import Library

__all__ = ["Library"]
