"""Connection hygiene for uvicorn: header and body read timeouts, keep-alive, a connection cap.

uvicorn times out idle keep-alive connections but not a client that trickles its headers or
stalls mid-body (slowloris), so each connection here is watched: no complete header block
within `server.header_timeout_s`, or no body bytes for `server.body_timeout_s`, closes it.
"""

from __future__ import annotations

import asyncio

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from localchat.config import ServerSettings


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus the two read timeouts (class attributes, set per server)."""

    header_timeout = 10.0
    body_timeout = 30.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._waiting_since = self._last_data = self.loop.time()
        self._schedule()

    def data_received(self, data: bytes) -> None:
        self._last_data = self.loop.time()
        super().data_received(data)

    def on_response_complete(self) -> None:
        self._waiting_since = self.loop.time()  # the next request's headers are due from now
        super().on_response_complete()

    def _schedule(self) -> None:
        interval = min(1.0, self.header_timeout / 2, self.body_timeout / 2)
        self.loop.call_later(interval, self._check)

    def _check(self) -> None:
        if self.transport.is_closing():
            return
        now, state = self.loop.time(), self.conn.their_state
        if state is h11.IDLE and now - self._waiting_since > self.header_timeout:
            self.transport.close()  # headers never completed
            return
        if state is h11.SEND_BODY and now - self._last_data > self.body_timeout:
            self.transport.close()  # the body stalled
            return
        self._schedule()


def guarded_protocol(server: ServerSettings) -> type[H11Protocol]:
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout": server.header_timeout_s, "body_timeout": server.body_timeout_s},
    )


def uvicorn_config(app, server: ServerSettings, **options) -> uvicorn.Config:
    """How `localchat serve` runs the app (tests use it too, to run the same server)."""
    return uvicorn.Config(
        app,
        host=server.host,
        port=server.port,
        http=guarded_protocol(server),
        timeout_keep_alive=max(1, round(server.keep_alive_s)),
        h11_max_incomplete_event_size=server.max_header_bytes,
        limit_concurrency=server.max_connections,
        timeout_graceful_shutdown=10,
        **options,
    )
