"""Probes (/api/health/live, /ready, /deep) and the Prometheus scrape endpoint (/metrics)."""

from __future__ import annotations

import anyio.to_thread
from litestar import Controller, Response, get

from localchat.client.library import library_id
from localchat.wire.api import HealthReport
from server.deps import MetricsDep, ModelsDep, ReadinessDep, ResourcesDep, SettingsDep, needs
from server.health import deep_report
from server.metrics import CONTENT_TYPE


class HealthController(Controller):
    path = "/api/health"
    dependencies = needs("settings", "readiness", "resources", "models")

    @get("/live")
    async def live(self, settings: SettingsDep) -> dict[str, str]:
        # `library` (a hash of the data dir, revealing nothing) lets `localchat ingest` tell
        # whether this server owns the library it was asked to write to.
        return {"status": "ok", "library": library_id(settings.data_path)}

    @get("/ready")
    async def ready(self, readiness: ReadinessDep) -> Response[HealthReport]:
        reason = await anyio.to_thread.run_sync(readiness.not_ready_reason)
        if reason is None:
            return Response(HealthReport(status="ok", components={}))
        return Response(
            HealthReport(status="fail", components={}, reason=reason),
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @get("/deep")
    async def deep(self, resources: ResourcesDep, models: ModelsDep) -> Response[HealthReport]:
        report = await anyio.to_thread.run_sync(deep_report, resources, models.loaded_generator)
        return Response(report, status_code=503 if report.status == "fail" else 200)


class MetricsController(Controller):
    path = "/metrics"
    dependencies = needs("metrics")

    @get("/", sync_to_thread=False)
    def metrics(self, metrics: MetricsDep) -> Response[bytes]:
        # The document and chunk gauges are set by the Library after every write (and when
        # another process's writes are taken in), so a scrape only renders.
        return Response(metrics.render(), media_type=CONTENT_TYPE)
