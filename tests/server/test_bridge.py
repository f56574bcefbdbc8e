"""The thread bridge: items arrive in order, errors propagate, leaving early cancels."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.bridge import iterate_in_thread


@pytest.fixture
def executor():
    pool = ThreadPoolExecutor(2)
    yield pool
    pool.shutdown(wait=True, cancel_futures=True)


async def test_items_arrive_in_order(executor):
    cancel = threading.Event()
    got = [item async for item in iterate_in_thread(lambda: iter(range(50)), executor, cancel)]
    assert got == list(range(50))
    assert not cancel.is_set()


async def test_errors_propagate(executor):
    def failing():
        yield 1
        raise ValueError("boom")

    cancel = threading.Event()
    got = []
    with pytest.raises(ValueError, match="boom"):
        async for item in iterate_in_thread(failing, executor, cancel):
            got.append(item)
    assert got == [1]


async def test_leaving_early_sets_cancel_and_the_producer_stops(executor):
    cancel = threading.Event()
    produced = []

    def slow():
        for n in range(1000):
            if cancel.is_set():
                return
            produced.append(n)
            time.sleep(0.005)
            yield n

    stream = iterate_in_thread(slow, executor, cancel)
    async for item in stream:
        if item == 3:
            break
    await stream.aclose()
    assert cancel.is_set()
    await asyncio.sleep(0.1)
    assert len(produced) < 100


async def test_the_event_loop_stays_free_while_the_producer_blocks(executor):
    cancel = threading.Event()
    gate = threading.Event()

    def blocked():
        gate.wait(5)
        yield "done"

    stream = iterate_in_thread(blocked, executor, cancel)
    task = asyncio.ensure_future(stream.__anext__())
    started = time.perf_counter()
    await asyncio.sleep(0.05)  # would not return on time if the loop were blocked
    assert time.perf_counter() - started < 1.0 and not task.done()
    gate.set()
    assert await task == "done"
