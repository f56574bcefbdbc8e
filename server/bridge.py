"""Blocking iterators (the chat service, a generator) consumed from async code.

The iterator runs on an executor thread and hands each item to the event loop, so a request
waiting for the model's lock holds a worker thread, never the loop. Leaving the async
iteration early (the client went away, the task was cancelled) sets the cancel Event, which
the core checks between tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = "item", "end", "error"


async def iterate_in_thread(
    make: Callable[[], Iterator[T]], executor: Executor, cancel: threading.Event
) -> AsyncIterator[T]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def put(kind: str, value: Any) -> None:
        # RuntimeError: the loop has closed (shutdown), nobody is listening any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(queue.put_nowait, (kind, value))

    def work() -> None:
        try:
            for item in make():
                put(_ITEM, item)
        except BaseException as exc:
            put(_ERROR, exc)
        else:
            put(_END, None)

    loop.run_in_executor(executor, work)
    finished = False
    try:
        while True:
            kind, value = await queue.get()
            if kind == _END:
                finished = True
                return
            if kind == _ERROR:
                finished = True
                raise value
            yield value
    finally:
        if not finished:
            cancel.set()


@asynccontextmanager
async def cancel_on_disconnect(receive: Callable[[], Any], cancel: threading.Event):
    """For non-streamed answers: a client that hangs up stops the generation it asked for.

    Call only after the request body has been read: the next ASGI message is then the
    disconnect (or arrives once the response is complete).
    """

    async def watch() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                cancel.set()
                return

    task = asyncio.create_task(watch())
    try:
        yield
    finally:
        task.cancel()


class ChatThreads:
    """The threads that run chat and completion streams (the `threads` dependency). Waiting
    for the model's lock happens here, so more requests than threads queue in the executor,
    never on the event loop."""

    def __init__(self, size: int) -> None:
        self._executor = ThreadPoolExecutor(size, thread_name_prefix="localchat-chat")

    def iterate(self, make: Callable[[], Iterator[T]], cancel: threading.Event) -> AsyncIterator[T]:
        """Any blocking iterator (a chat stream, a raw completion) on these threads."""
        return iterate_in_thread(make, self._executor, cancel)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def answer(self, chat, request, cancel: threading.Event) -> AsyncIterator:
        """The chat service's events for `request` (ChatService.stream) on these threads."""
        return self.iterate(lambda: chat.stream(request, cancel), cancel)
