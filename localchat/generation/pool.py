"""The answer models a process holds: the active one, others asked for by name, and swaps.

A request leases the generator it starts with and keeps it to its last token, so a switch
never changes the model in the middle of an answer. A switch loads the new model first (the
old one keeps answering meanwhile), then swaps; the old model is closed once the last
request that leased it has finished.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator

from localchat.generation.base import Generator

Opener = Callable[[str | None], Generator]  # None: the configured (default) model


class GeneratorPool:
    def __init__(self, opener: Opener, *, max_loaded: int = 2, bundled_id: str = "") -> None:
        self._open = opener
        self._max_loaded = max(1, max_loaded)
        self._bundled_id = bundled_id
        self._lock = threading.Lock()
        self._switch_lock = threading.Lock()  # one load at a time; never held while serving
        self._active: Generator | None = None
        self._others: OrderedDict[str, Generator] = OrderedDict()
        self._leases: dict[int, int] = {}
        self._retired: dict[int, Generator] = {}
        self._to_close: list[Generator] = []  # closed after the lock is released

    # -- the active model ------------------------------------------------------------------

    @property
    def active(self) -> Generator:
        """The active model, loaded on first use."""
        with self._switch_lock:
            with self._lock:
                if self._active is not None:
                    return self._active
            generator = self._open(None)
            with self._lock:
                self._active = generator
                return generator

    def loaded_active(self) -> Generator | None:
        with self._lock:
            return self._active

    def set_active(self, generator: Generator | None) -> None:
        """Make an already-open generator the active one (tests, embedding apps); None
        unloads it, so the next use opens the configured model."""
        with self._lock:
            previous, self._active = self._active, generator
            if previous is not None and previous is not generator:
                self._retire(previous)
        self._close_pending()

    def switch(self, name: str) -> Generator:
        """Load `name` (unless already loaded), then make it the active model."""
        with self._switch_lock:
            with self._lock:
                if self._active is not None and self._active.model_id == name:
                    return self._active
                ready = self._others.pop(name, None)
            generator = ready or self._open(name)
            with self._lock:
                previous, self._active = self._active, generator
                if previous is not None:
                    self._keep(previous)
        self._close_pending()
        return generator

    def is_bundled(self, generator: Generator | None = None) -> bool:
        """True when `generator` (default: the active one) is the bundled SmolLM2: the model
        nobody chose. Answer modes may trust a chosen model with more freedom."""
        generator = generator or self.loaded_active()
        return (
            generator is not None
            and bool(self._bundled_id)
            and (generator.model_id == self._bundled_id)
        )

    # -- per-request models ----------------------------------------------------------------

    @contextlib.contextmanager
    def lease(self, name: str | None = None) -> Iterator[Generator]:
        """The generator for one request (the active one for None), kept open until exit."""
        generator = self._named(name) if name else self.active
        with self._lock:
            self._leases[id(generator)] = self._leases.get(id(generator), 0) + 1
        try:
            yield generator
        finally:
            with self._lock:
                left = self._leases[id(generator)] - 1
                if left:
                    self._leases[id(generator)] = left
                else:
                    del self._leases[id(generator)]
                closing = self._retired.pop(id(generator), None) if not left else None
            if closing is not None:
                closing.close()

    def _named(self, name: str) -> Generator:
        with self._lock:
            if self._active is not None and self._active.model_id == name:
                return self._active
            if (found := self._others.get(name)) is not None:
                self._others.move_to_end(name)
                return found
        with self._switch_lock:
            with self._lock:
                if (found := self._others.get(name)) is not None:
                    return found
            generator = self._open(name)
            with self._lock:
                self._keep(generator)
        self._close_pending()
        return generator

    def _keep(self, generator: Generator) -> None:
        """Hold a non-active model for later requests, retiring the least recently used."""
        self._others[generator.model_id] = generator
        self._others.move_to_end(generator.model_id)
        while len(self._others) + 1 > self._max_loaded:
            _, oldest = self._others.popitem(last=False)
            self._retire(oldest)

    def _retire(self, generator: Generator) -> None:
        """Called under the lock. Closing waits for a generation in progress (llama.cpp's
        own lock), so it happens after the pool's lock is released."""
        if self._leases.get(id(generator)):
            self._retired[id(generator)] = generator  # closed by the last lease's exit
        else:
            self._to_close.append(generator)

    def _close_pending(self) -> None:
        with self._lock:
            closing, self._to_close = self._to_close, []
        for generator in closing:
            generator.close()

    def loaded_ids(self) -> list[str]:
        with self._lock:
            active = [self._active.model_id] if self._active is not None else []
            return [*active, *self._others]

    def close(self) -> None:
        with self._lock:
            generators = [self._active, *self._others.values(), *self._retired.values()]
            self._active, self._others, self._retired = None, OrderedDict(), {}
        for generator in generators:
            if generator is not None:
                generator.close()
