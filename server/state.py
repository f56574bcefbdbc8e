"""What the server holds while it runs, opened in the app's lifespan: the Resources (or ones a
test hands in), the chat service, the job manager, the answer model's loading, chat threads.

Controllers never see this object: each asks for the parts it uses by name (server/deps.py).
"""

from __future__ import annotations

import logging
import threading

from localchat.chat.service import ChatService
from localchat.config import Settings
from localchat.errors import NotReadyError
from localchat.jobs.manager import JobManager
from localchat.library import Library
from localchat.resources import Resources
from localchat.telemetry import Telemetry
from server.answer_model import AnswerModel
from server.bridge import ChatThreads
from server.metrics import Metrics, PrometheusTelemetry

log = logging.getLogger("localchat.server")

# Threads that run chat and completion streams.
CHAT_THREADS = 8


class ServerState:
    """One per app. `open()` and `close()` run in the lifespan, on a worker thread."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.models = AnswerModel(settings, lambda: self.resources)
        self.threads = ChatThreads(CHAT_THREADS)
        self._resources: Resources | None = None
        self._chat: ChatService | None = None
        self._jobs: JobManager | None = None
        self._owns_resources = True
        self._warmer: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def open(self, resources: Resources | None = None, telemetry: Telemetry | None = None) -> None:
        """Open Resources reporting to this app's metrics (and on to `telemetry`), or serve
        `resources` a caller opened: they keep their telemetry, and are left open at close."""
        if resources is None:
            reports = PrometheusTelemetry(self.metrics, inner=telemetry)
            resources = Resources.open(self.settings, telemetry=reports)
        else:
            self._owns_resources = False
        self._resources = resources
        self._chat = ChatService(resources)
        self._jobs = JobManager(resources)
        resources.library.publish_counts()
        self._warmer = threading.Thread(target=self._warm_up, name="localchat-warm-up", daemon=True)
        self._warmer.start()

    def _warm_up(self) -> None:
        self.models.load()
        try:
            self.resources.models()  # discovery, so the first /v1/models does not wait for it
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
        self.threads.close()
        if self._warmer is not None:
            self._warmer.join(30)
        if self._resources is not None and self._owns_resources:
            self._resources.close()
        self._resources = self._chat = self._jobs = None

    # -- the parts, once open ------------------------------------------------------------------

    @property
    def resources(self) -> Resources:
        if self._resources is None:
            raise _not_started()
        return self._resources

    @property
    def library(self) -> Library:
        return self.resources.library

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

    def not_ready_reason(self) -> str | None:
        """Why the server cannot answer chats yet, or None when it can."""
        if self._resources is None:
            return "the store and index are still opening"
        if (reason := self.models.not_ready_reason()) is not None:
            return reason
        resources = self._resources
        if not any(self.jobs.active(kind) for kind in ("ingest", "rechunk", "reembed")):
            # Mid-ingest the index trails SQLite by one write; only a quiet store must agree.
            expected, _ = resources.store.key_stats(resources.embedder.model_id)
            # Another process wrote to SQLite: the job worker is catching the index up (in
            # about a second); meanwhile search still answers, so the server stays ready.
            catching_up = resources.store.corpus_version() != resources.seen_version
            if len(resources.index) != expected and not catching_up:
                return (
                    f"the vector index holds {len(resources.index)} vectors but SQLite has "
                    f"{expected}; restart to rebuild it"
                )
        return None


def _not_started() -> NotReadyError:
    return NotReadyError(
        "the server is still starting", hint="retry in a moment; GET /api/health/ready says when"
    )
