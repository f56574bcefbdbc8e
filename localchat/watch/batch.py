"""Debouncing: the paths of a burst of events (a git checkout, an unzip) become one batch."""

from __future__ import annotations

import threading
import time


class Batcher:
    """Collects changed paths; `take` hands them over once the folder has been quiet for
    `quiet_s`, or once `max_wait_s` passed since the first of them, or `max_paths` pile up
    (an endless stream of changes still gets processed)."""

    def __init__(
        self, quiet_s: float = 1.0, *, max_wait_s: float = 30.0, max_paths: int = 5000
    ) -> None:
        self.quiet_s = quiet_s
        self.max_wait_s = max(max_wait_s, quiet_s)
        self.max_paths = max_paths
        self._paths: dict[str, None] = {}
        self._first = 0.0
        self._last = 0.0
        self._changed = threading.Condition()
        self._closed = False

    def add(self, paths) -> None:
        now = time.monotonic()
        with self._changed:
            if not self._paths:
                self._first = now
            self._paths.update(dict.fromkeys(paths))
            self._last = now
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def pending(self) -> int:
        with self._changed:
            return len(self._paths)

    def take(self, timeout: float) -> list[str]:
        """The next batch, or [] after `timeout` seconds without one (or once closed)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self._closed:
                now = time.monotonic()
                if self._paths:
                    due = min(self._last + self.quiet_s, self._first + self.max_wait_s)
                    if now >= due or len(self._paths) >= self.max_paths:
                        batch, self._paths = list(self._paths), {}
                        return batch
                    wake = min(due, deadline)
                else:
                    wake = deadline
                if now >= deadline:
                    return []
                self._changed.wait(wake - now)
        return []
