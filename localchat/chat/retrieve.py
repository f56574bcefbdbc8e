"""An answer's retrieval step: the hybrid search, through the answer cache's retrieval tier."""

from __future__ import annotations

import time

import msgspec

from localchat.cache.keys import retrieval_key
from localchat.config import RagParams
from localchat.retrieval.retriever import Retrieval


def retrieve(
    runtime,
    query: str,
    params: RagParams,
    *,
    use_cache: bool = True,
    collection: str = "default",
) -> Retrieval:
    """runtime.retriever.search(query, params) in `collection`, from the cache when it was
    done before at this corpus version (the collection is part of the key); the time it took
    is reported to telemetry either way."""
    started = time.perf_counter()
    retriever, cache = runtime.retriever, getattr(runtime, "cache", None)
    ticket = None
    if cache is not None:
        key = retrieval_key(
            retriever.embedder.model_id, query, params, mode="hybrid",
            candidates=retriever.candidates, rrf_k=retriever.rrf_k, collection=collection,
        )  # fmt: skip
        ticket = cache.retrieval_ticket(key, use_cache=use_cache)
    value = cache.lookup_retrieval(ticket) if ticket is not None else None
    if value is not None:
        result = msgspec.msgpack.decode(value, type=Retrieval)
        result.timings_ms = {"total_ms": (time.perf_counter() - started) * 1000}
    else:
        result = retriever.search(query, params, collection=collection)
        if ticket is not None:
            # The dropped candidates only serve "explain"; keeping them would triple the size.
            kept = msgspec.structs.replace(result, dropped=[])
            cache.store_retrieval(ticket, msgspec.msgpack.encode(kept))
    runtime.telemetry.retrieval(time.perf_counter() - started, len(result.hits))
    return result
