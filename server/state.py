"""What the server holds while it runs: the runtime, the chat service, jobs, metrics, threads.

Opened in the app's lifespan (or handed an already-open runtime by tests). The answer model
loads on a background thread right after start, so /api/health/live answers at once while
/api/health/ready says honestly that the model is still loading.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeAlias, TypeVar

import anyio.to_thread
from litestar.di import NamedDependency

from localchat.chat.service import ChatEvent, ChatRequest, ChatService
from localchat.config import Settings
from localchat.errors import LocalChatError, ModelLoadError, NotReadyError
from localchat.jobs import JobManager
from localchat.runtime import Runtime
from server.bridge import iterate_in_thread
from server.catalog import parse_aliases
from server.metrics import Metrics, PrometheusTelemetry

log = logging.getLogger("localchat.server")
T = TypeVar("T")

# Threads that run chat and completion streams. Waiting for the model's lock happens here, so
# more requests than threads queue in the executor, never on the event loop.
CHAT_THREADS = 8


class ServerState:
    """One per app; controllers receive it as the `core` dependency."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.aliases = parse_aliases(settings.server.model_aliases)
        self.started_at = int(time.time())
        self.executor = ThreadPoolExecutor(CHAT_THREADS, thread_name_prefix="localchat-chat")
        self.generator_done = threading.Event()
        self.generator_error: LocalChatError | None = None
        self._runtime: Runtime | None = None
        self._chat: ChatService | None = None
        self._jobs: JobManager | None = None
        self._owns_runtime = True
        self._outer_telemetry = None
        self._warmer: threading.Thread | None = None

    # -- lifecycle (called from the lifespan, on a worker thread) ------------------------------

    def open(self, runtime: Runtime | None = None) -> None:
        if runtime is None:
            runtime = Runtime.open(self.settings, telemetry=PrometheusTelemetry(self.metrics))
        else:  # injected (tests, embedding apps): keep its telemetry and add ours
            self._owns_runtime = False
            outer = runtime.telemetry
            self._outer_telemetry = runtime.set_telemetry(
                PrometheusTelemetry(self.metrics, inner=outer)
            )
        self._runtime = runtime
        self._chat = ChatService(runtime)
        self._jobs = JobManager(runtime)
        runtime.telemetry.stored(*runtime.store.counts())
        self._warmer = threading.Thread(target=self._warm_up, name="localchat-warm-up", daemon=True)
        self._warmer.start()

    def _warm_up(self) -> None:
        runtime = self.runtime
        try:
            runtime.generator  # noqa: B018 - loads the model
        except LocalChatError as exc:
            self.generator_error = exc
        except Exception as exc:  # a broken model file must not take the server down
            self.generator_error = ModelLoadError(
                f"the answer model failed to load: {exc}", hint="check models.generation_path"
            )
        finally:
            self.generator_done.set()
        if self.generator_error is not None:
            log.error("answer model unavailable: %s", self.generator_error.user_message())
        try:
            runtime.models()  # discovery, so the first /v1/models does not wait for it
        except Exception:
            log.exception("model discovery failed")
        try:
            if self.jobs.needs_rechunk():  # an interrupted re-chunk resumes
                self.jobs.rechunk()
        except Exception:
            log.exception("could not check the chunk layout")
        try:
            if self.jobs.needs_reembed():  # a new embedding model, or an interrupted run
                self.jobs.reembed()
        except Exception:
            log.exception("could not check the vectors")

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.close()
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self._warmer is not None:
            self._warmer.join(30)
        if self._runtime is not None:
            if self._owns_runtime:
                self._runtime.close()
            else:
                self._runtime.set_telemetry(self._outer_telemetry)
        self._runtime = self._chat = self._jobs = None

    # -- access --------------------------------------------------------------------------------

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise _not_started()
        return self._runtime

    @property
    def chat(self) -> ChatService:
        if self._chat is None:
            raise _not_started()
        return self._chat

    @property
    def jobs(self) -> JobManager:
        if self._jobs is None:
            raise _not_started()
        return self._jobs

    async def generator(self):
        """The loaded answer model (waits, off the event loop, while it loads)."""
        if not self.generator_done.is_set():
            return await anyio.to_thread.run_sync(self.loaded_generator)
        return self.loaded_generator()

    def loaded_generator(self):
        """The answer model, waiting (on this thread) while it loads; raises its load error."""
        self.generator_done.wait()
        if self.generator_error is not None:
            raise self.generator_error
        return self.runtime.generator

    def generator_id(self) -> str:
        """The answer model's id once loaded ("" before, or if it failed)."""
        if not self.generator_done.is_set() or self.generator_error is not None:
            return ""
        return self.runtime.generator.model_id

    async def chat_names(self) -> list[str]:
        """Names of the chat models found on this machine (discovery runs once, in a thread;
        afterwards the answer is cached and no thread is needed)."""
        runtime = self.runtime
        if runtime.discovered():
            return runtime.chat_model_names()
        return await anyio.to_thread.run_sync(runtime.chat_model_names)

    def chat_events(
        self, request: ChatRequest, cancel: threading.Event
    ) -> AsyncIterator[ChatEvent]:
        chat = self.chat
        return iterate_in_thread(lambda: chat.stream(request, cancel), self.executor, cancel)

    def in_thread(
        self, make: Callable[[], Iterator[T]], cancel: threading.Event
    ) -> AsyncIterator[T]:
        """Any blocking iterator (e.g. a raw completion) on the chat threads."""
        return iterate_in_thread(make, self.executor, cancel)

    def not_ready_reason(self) -> str | None:
        """Why the server cannot answer chats yet, or None when it can."""
        if self._runtime is None:
            return "the store and index are still opening"
        if not self.generator_done.is_set():
            return "the answer model is still loading"
        if self.generator_error is not None:
            return f"the answer model is unavailable: {self.generator_error.message}"
        runtime = self._runtime
        if not any(self.jobs.active(kind) for kind in ("ingest", "rechunk", "reembed")):
            # Mid-ingest the index trails SQLite by one write; only a quiet store must agree.
            expected, _ = runtime.store.key_stats(runtime.embedder.model_id)
            # Another process wrote to SQLite: the job worker is catching the index up (in
            # about a second); meanwhile search still answers, so the server stays ready.
            catching_up = runtime.store.corpus_version() != runtime.seen_version
            if len(runtime.index) != expected and not catching_up:
                return (
                    f"the vector index holds {len(runtime.index)} vectors but SQLite has "
                    f"{expected}; restart to rebuild it"
                )
        return None


def _not_started() -> NotReadyError:
    return NotReadyError(
        "the server is still starting", hint="retry in a moment; GET /api/health/ready says when"
    )


# How controllers ask for the state: `core: Core` (provided as the "core" dependency).
Core: TypeAlias = NamedDependency[ServerState]
