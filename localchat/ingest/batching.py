"""Queue helpers for the ingest stages: group parsed documents into embedding batches.

Why batches are large: the embedder sorts each call's texts by token count and pads every
row of a run to its longest one, so the more texts one call sees, the less padding it
computes. On 600 SciFact abstracts (1,291 chunks, 228k real tokens) groups of ~18 chunks
(what a queue of 8 documents gave) padded to 308k tokens; groups of 256 pad to 241k
(docs/benchmarks.md, "Ingestion").
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

# How long the embed stage waits for more parsed documents before embedding a part batch:
# long enough for a fast parser to top the batch up, short next to one embed call (~1 s).
TOP_UP_SECONDS = 0.05


def document_batches(
    inbox: queue.Queue, size: int, sentinel: object, top_up: float = TOP_UP_SECONDS
) -> Iterator[list]:
    """Group queued documents until about `size` chunks are pending.

    A batch is handed on early when no document arrives within `top_up` seconds (a slow
    parser: waiting longer would only idle the embedder) or at the end of the input.
    """
    finished = False
    while not finished:
        item = inbox.get()
        if item is sentinel:
            return
        batch, pending = [item], len(item.chunks)
        deadline = time.monotonic() + top_up
        while pending < size:
            try:
                item = inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item is sentinel:
                finished = True
                break
            batch.append(item)
            pending += len(item.chunks)
        yield batch


def drain(q: queue.Queue) -> None:
    while True:
        try:
            q.get_nowait()
        except queue.Empty:
            return
