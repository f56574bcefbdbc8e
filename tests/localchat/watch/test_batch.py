"""Batcher: a burst becomes one batch once quiet; a stream is still cut into batches."""

from __future__ import annotations

import threading
import time

from localchat.watch.batch import Batcher


def test_a_burst_is_one_batch_after_the_quiet_time():
    batcher = Batcher(0.2)
    for n in range(1000):
        batcher.add([f"/w/f{n}.md", f"/w/f{n}.md"])  # repeated events of one file count once
    started = time.monotonic()
    batch = batcher.take(timeout=5)
    assert len(batch) == 1000 and time.monotonic() - started >= 0.15
    assert batcher.pending() == 0 and batcher.take(timeout=0.05) == []


def test_an_endless_stream_is_cut_at_max_wait():
    batcher = Batcher(0.2, max_wait_s=0.5)
    stop = threading.Event()

    def stream():
        n = 0
        while not stop.is_set():
            batcher.add([f"/w/{n}.md"])
            n += 1
            time.sleep(0.01)

    feeder = threading.Thread(target=stream)
    feeder.start()
    try:
        started = time.monotonic()
        batch = batcher.take(timeout=5)
        waited = time.monotonic() - started
    finally:
        stop.set()
        feeder.join()
    assert batch and 0.4 <= waited < 2.0


def test_max_paths_hands_over_at_once():
    batcher = Batcher(10.0, max_paths=50)
    batcher.add([f"/w/{n}.md" for n in range(50)])
    started = time.monotonic()
    assert len(batcher.take(timeout=5)) == 50
    assert time.monotonic() - started < 1.0


def test_close_wakes_a_waiting_take():
    batcher = Batcher(1.0)
    threading.Timer(0.1, batcher.close).start()
    started = time.monotonic()
    assert batcher.take(timeout=10) == []
    assert time.monotonic() - started < 5
