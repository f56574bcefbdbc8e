"""Queue helpers for the ingest stages: group parsed documents into embedding batches."""

from __future__ import annotations

import queue
from collections.abc import Iterator


def document_batches(inbox: queue.Queue, size: int, sentinel: object) -> Iterator[list]:
    """Group queued documents until about `size` chunks are pending (or the queue is empty)."""
    finished = False
    while not finished:
        item = inbox.get()
        if item is sentinel:
            return
        batch, pending = [item], len(item.chunks)
        while pending < size:
            try:
                item = inbox.get_nowait()
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
