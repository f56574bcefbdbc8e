"""The answer model as the server sees it: loading on a background thread after start (so
/api/health/live answers at once), its load error if any, model names and aliases."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import anyio.to_thread

from localchat.config import Settings
from localchat.errors import LocalChatError, ModelLoadError
from localchat.resources import Resources
from server.catalog import parse_aliases

log = logging.getLogger("localchat.server")


class AnswerModel:
    """One per app (the `models` dependency). `resources` gives the opened Resources."""

    def __init__(self, settings: Settings, resources: Callable[[], Resources]) -> None:
        self.aliases = parse_aliases(settings.server.model_aliases)
        self.started_at = int(time.time())
        self.loaded = threading.Event()
        self.error: LocalChatError | None = None
        self._resources = resources

    def load(self) -> None:
        """Load the active model (on the warm-up thread); a failure is kept, never raised."""
        try:
            self._resources().generator  # noqa: B018 - loads the model
        except LocalChatError as exc:
            self.error = exc
        except Exception as exc:  # a broken model file must not take the server down
            self.error = ModelLoadError(
                f"the answer model failed to load: {exc}", hint="check models.generation_path"
            )
        finally:
            self.loaded.set()
        if self.error is not None:
            log.error("answer model unavailable: %s", self.error.user_message())

    async def generator(self):
        """The loaded answer model (waits, off the event loop, while it loads)."""
        if not self.loaded.is_set():
            return await anyio.to_thread.run_sync(self.loaded_generator)
        return self.loaded_generator()

    def loaded_generator(self):
        """The answer model, waiting (on this thread) while it loads; raises its load error."""
        self.loaded.wait()
        if self.error is not None:
            raise self.error
        return self._resources().generator

    def generator_id(self) -> str:
        """The answer model's id once loaded ("" before, or if it failed)."""
        if not self.loaded.is_set() or self.error is not None:
            return ""
        return self._resources().generator.model_id

    async def chat_names(self) -> list[str]:
        """Names of the chat models found on this machine (discovery runs once, in a thread;
        afterwards the answer is cached and no thread is needed)."""
        resources = self._resources()
        if resources.discovered():
            return resources.chat_model_names()
        return await anyio.to_thread.run_sync(resources.chat_model_names)

    def not_ready_reason(self) -> str | None:
        if not self.loaded.is_set():
            return "the answer model is still loading"
        if self.error is not None:
            return f"the answer model is unavailable: {self.error.message}"
        return None
