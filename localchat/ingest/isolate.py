"""Parse untrusted files in a worker process with time and memory limits (DESIGN §7).

pypdf has had many infinite-loop and memory-exhaustion bugs, and a thread cannot stop a
looping parse. So `ParserPool` keeps one worker process (started with "spawn": a forked child
would inherit SQLite connections and model handles) that runs `load_file` with RLIMIT_AS set,
answers in msgspec-encoded bytes, and is killed when a parse overruns its time. The worker is
reused across files and replaced only after it died or timed out.
"""

from __future__ import annotations

import multiprocessing
import threading
import weakref
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Protocol

import msgspec

from localchat import errors
from localchat.errors import (
    CorruptFileError,
    FileTooLargeError,
    IngestError,
    LocalChatError,
    ParseTimeoutError,
)
from localchat.ingest.loaders import LoadedDocument, load_file

_START_TIMEOUT_S = 60.0  # importing the parsers in a fresh interpreter; not the file's fault
_STOP_TIMEOUT_S = 2.0
_SHUTDOWN = b""


class DocumentParser(Protocol):
    """Turns a file into a LoadedDocument; `ParserPool` is the real one."""

    def load(self, path: Path) -> LoadedDocument: ...

    def close(self) -> None: ...


class InProcessParser:
    """Parses in the calling thread: for tests and trusted input only (no limits)."""

    def __init__(self, *, max_pages: int = 5000) -> None:
        self.max_pages = max_pages

    def load(self, path: Path) -> LoadedDocument:
        return load_file(path, max_pages=self.max_pages)

    def close(self) -> None:
        return None


class _Request(msgspec.Struct, frozen=True):
    path: str
    max_pages: int


class _Failure(msgspec.Struct, frozen=True):
    error: str  # class name in localchat.errors
    message: str
    hint: str = ""
    param: str | None = None


class _Reply(msgspec.Struct, frozen=True):
    document: LoadedDocument | None = None
    failure: _Failure | None = None
    worker_exits: bool = False  # after a MemoryError the worker's heap is not trusted


class ParserPool:
    """One reusable parser process. Thread-safe: concurrent `load` calls take turns.

    For parallel parsing, create one pool per lane (each pool is one process).
    """

    def __init__(
        self, *, timeout_s: float = 120, memory_mb: int = 2048, max_pages: int = 5000
    ) -> None:
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.max_pages = max_pages
        self._worker: _Worker | None = None
        self._lock = threading.Lock()

    def load(self, path: Path) -> LoadedDocument:
        """Parse `path` in the worker; errors arrive as the loader's own LocalChatError."""
        request = msgspec.msgpack.encode(_Request(str(Path(path).resolve()), self.max_pages))
        with self._lock:
            worker = self._running_worker()
            reply = worker.ask(request, self.timeout_s)
            if reply is None:
                self._stop_worker(graceful=False)
                raise ParseTimeoutError(
                    f"parsing {Path(path).name} took longer than {self.timeout_s:g} s",
                    hint="the file may be malformed; if it is only large, raise "
                    "ingest.parse_timeout_s",
                )
            if isinstance(reply, int):  # the worker died; `reply` is its exit code
                self._stop_worker(graceful=False)
                raise _death_error(Path(path).name, reply, self.memory_mb)
            if reply.worker_exits:
                self._stop_worker()
        if reply.failure is not None:
            raise _rebuild(reply.failure)
        assert reply.document is not None
        return reply.document

    def close(self) -> None:
        with self._lock:
            self._stop_worker()

    @property
    def worker_pid(self) -> int | None:
        """The worker's process id, None before the first load and after close()."""
        worker = self._worker
        return worker.process.pid if worker is not None else None

    def __enter__(self) -> ParserPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _running_worker(self) -> _Worker:
        if self._worker is not None and not self._worker.alive():
            self._stop_worker()
        if self._worker is None:
            self._worker = _Worker.start(self.memory_mb)
        return self._worker

    def _stop_worker(self, *, graceful: bool = True) -> None:
        if self._worker is not None:
            self._worker.stop(graceful=graceful)
            self._worker = None


def load_file_isolated(
    path: Path, *, timeout_s: float = 120, memory_mb: int = 2048, max_pages: int = 5000
) -> LoadedDocument:
    """`load_file` in a fresh worker process; for many files, reuse a ParserPool instead."""
    with ParserPool(timeout_s=timeout_s, memory_mb=memory_mb, max_pages=max_pages) as pool:
        return pool.load(path)


class _Worker:
    """The parent's handle on one worker process and its pipe."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        # A pool dropped without close() must not leave its process behind.
        self._finalizer = weakref.finalize(self, _terminate, process, connection)

    @classmethod
    def start(cls, memory_mb: int) -> _Worker:
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe(duplex=True)
        process = context.Process(
            target=_serve, args=(child_end, memory_mb), name="localchat-parser", daemon=True
        )
        process.start()
        child_end.close()
        worker = cls(process, parent_end)
        try:
            ready = parent_end.poll(_START_TIMEOUT_S) and parent_end.recv_bytes() == b"ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            worker.stop()
            raise IngestError(
                "the document parser process did not start",
                hint="check that LocalChat is installed completely (pypdf, selectolax)",
            )
        return worker

    def alive(self) -> bool:
        return self.process.is_alive()

    def ask(self, request: bytes, timeout_s: float) -> _Reply | int | None:
        """The reply; None on timeout; the exit code when the worker died."""
        try:
            self.connection.send_bytes(request)
            if not self.connection.poll(timeout_s):
                return None
            data = self.connection.recv_bytes()
        except (EOFError, OSError):
            self.process.join(_STOP_TIMEOUT_S)
            return self.process.exitcode if self.process.exitcode is not None else -9
        return msgspec.msgpack.decode(data, type=_Reply)

    def stop(self, *, graceful: bool = True) -> None:
        """Ask the worker to exit (or kill it at once, when it is stuck) and reap it."""
        if not graceful and self.process.is_alive():
            self.process.kill()
            self.process.join()
        self._finalizer()


def _terminate(process: BaseProcess, connection: Connection) -> None:
    try:
        if process.is_alive():
            connection.send_bytes(_SHUTDOWN)
            process.join(_STOP_TIMEOUT_S)
    except (OSError, ValueError):
        pass
    if process.is_alive():
        process.kill()
        process.join()
    connection.close()


def _death_error(name: str, exit_code: int, memory_mb: int) -> IngestError:
    if exit_code == -9:  # SIGKILL: the kernel's OOM killer, usually
        return FileTooLargeError(
            f"the parser was killed while reading {name} (out of memory?)",
            hint=f"the file needs more than ingest.parse_memory_mb = {memory_mb}; "
            "raise it or split the file",
        )
    return CorruptFileError(
        f"the parser crashed while reading {name} (exit code {exit_code})",
        hint="the file is probably damaged; re-export or re-download it",
    )


def _rebuild(failure: _Failure) -> LocalChatError:
    """The child's error as the same LocalChatError subclass in this process."""
    error_class = getattr(errors, failure.error, None)
    if not (isinstance(error_class, type) and issubclass(error_class, LocalChatError)):
        error_class = CorruptFileError
    return error_class(failure.message, hint=failure.hint, param=failure.param)


# -- in the worker process ---------------------------------------------------------------------


def _serve(connection: Connection, memory_mb: int) -> None:
    """Worker main loop: one request in, one reply out, until told to stop."""
    _limit_memory(memory_mb)
    encoder = msgspec.msgpack.Encoder()
    connection.send_bytes(b"ready")
    while True:
        try:
            data = connection.recv_bytes()
        except (EOFError, OSError):
            return  # the parent went away
        if data == _SHUTDOWN:
            return
        reply = _parse(msgspec.msgpack.decode(data, type=_Request), memory_mb)
        connection.send_bytes(encoder.encode(reply))
        if reply.worker_exits:
            return


def _parse(request: _Request, memory_mb: int) -> _Reply:
    name = Path(request.path).name
    try:
        return _Reply(document=load_file(Path(request.path), max_pages=request.max_pages))
    except LocalChatError as error:
        return _Reply(failure=_failure(error))
    except MemoryError:
        error = FileTooLargeError(
            f"parsing {name} needed more than {memory_mb} MB of memory",
            hint="raise ingest.parse_memory_mb or split the file",
        )
        return _Reply(failure=_failure(error), worker_exits=True)
    except RecursionError:
        return _Reply(failure=_failure(CorruptFileError(f"{name} is nested too deeply to parse")))
    except Exception as error:  # a parser bug on a hostile file is the file's problem
        message = f"{name} could not be parsed ({type(error).__name__}: {error})"[:300]
        return _Reply(failure=_failure(CorruptFileError(message)))


def _failure(error: LocalChatError) -> _Failure:
    return _Failure(type(error).__name__, error.message, error.hint, error.param)


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource  # POSIX only
    except ImportError:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
