"""Probes (/api/health/live, /ready, /deep) and the Prometheus scrape endpoint (/metrics)."""

from __future__ import annotations

import contextlib

import anyio.to_thread
from litestar import Controller, Response, get

from localchat.client.library import library_id
from localchat.errors import LocalChatError
from localchat.wire.api import HealthReport
from server.health import deep_report
from server.metrics import CONTENT_TYPE
from server.state import Core


class HealthController(Controller):
    path = "/api/health"

    @get("/live")
    async def live(self, core: Core) -> dict[str, str]:
        # `library` (a hash of the data dir, revealing nothing) lets `localchat ingest` tell
        # whether this server owns the library it was asked to write to.
        return {"status": "ok", "library": library_id(core.settings.data_path)}

    @get("/ready")
    async def ready(self, core: Core) -> Response[HealthReport]:
        reason = await anyio.to_thread.run_sync(core.not_ready_reason)
        if reason is None:
            return Response(HealthReport(status="ok", components={}))
        return Response(
            HealthReport(status="fail", components={}, reason=reason),
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @get("/deep")
    async def deep(self, core: Core) -> Response[HealthReport]:
        report = await anyio.to_thread.run_sync(deep_report, core.runtime, core.loaded_generator)
        return Response(report, status_code=503 if report.status == "fail" else 200)


class MetricsController(Controller):
    path = "/metrics"

    @get("/", sync_to_thread=True)
    def metrics(self, core: Core) -> Response[bytes]:
        # Gauges read the store at scrape time, so they are right after any writer; while the
        # server is still starting there is no store yet and the rest is served as it is.
        with contextlib.suppress(LocalChatError):
            documents, chunks = core.runtime.store.counts()
            core.metrics.documents.set(documents)
            core.metrics.chunks.set(chunks)
        return Response(core.metrics.render(), media_type=CONTENT_TYPE)
