"""Tiered, never-stale caching of answers, retrievals and query embeddings."""

from localchat.cache.keys import AnswerKey, answer_key, cache_key
from localchat.cache.response_cache import CacheHit, ResponseCache, Ticket

__all__ = ["AnswerKey", "CacheHit", "ResponseCache", "Ticket", "answer_key", "cache_key"]
