"""A tiny OpenAI-compatible server on a free loopback port, for upstream generator tests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Behaviour:
    """What the fake server does with the next requests."""

    words: list[str] = field(default_factory=lambda: ["Paris", " is", " in", " France."])
    status: int = 200
    error_body: dict[str, Any] | None = None
    finish_reason: str = "stop"
    send_usage: bool = True
    delay: float = 0.0  # seconds between chunks
    header_delay: float = 0.0  # seconds before answering at all
    malformed: bool = False
    drop_after: int | None = None  # close the connection after this many chunks
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    behaviour: Behaviour

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def do_POST(self) -> None:
        spec = self.server.behaviour  # type: ignore[attr-defined]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        spec.requests.append({"path": self.path, **body})
        spec.headers.append(dict(self.headers))
        time.sleep(spec.header_delay)
        if spec.status != 200:
            payload = json.dumps(spec.error_body or {"error": {"message": "nope"}}).encode()
            self.send_response(spec.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chat = self.path.endswith("/chat/completions")
        for i, event in enumerate(self._events(spec, chat)):
            if spec.drop_after is not None and i >= spec.drop_after:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)  # abrupt: no final chunk
                self.close_connection = True
                return
            self._chunk(event)
            time.sleep(spec.delay)
        self._chunk("data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _events(self, spec: Behaviour, chat: bool) -> Iterator[str]:
        yield ": keep-alive comment\n\n"
        if spec.malformed:
            yield "data: {not json\n\n"
        for n, word in enumerate(spec.words):
            last = n == len(spec.words) - 1
            choice: dict[str, Any] = {"index": 0, "finish_reason": None}
            if chat:
                choice["delta"] = {"content": word} if n else {"role": "assistant", "content": word}
            else:
                choice["text"] = word
            if last:
                choice["finish_reason"] = spec.finish_reason
            yield f"data: {json.dumps({'choices': [choice]})}\n\n"
        if spec.send_usage:
            usage = {"prompt_tokens": 11, "completion_tokens": len(spec.words), "total_tokens": 0}
            yield f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n"

    def _chunk(self, text: str) -> None:
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


@contextmanager
def fake_openai_server(behaviour: Behaviour | None = None) -> Iterator[tuple[str, Behaviour]]:
    """Yields (base URL without /v1, behaviour); the server runs in a daemon thread."""
    spec = behaviour or Behaviour()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.behaviour = spec  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", spec
    finally:
        server.shutdown()
        server.server_close()
