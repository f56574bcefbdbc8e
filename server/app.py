"""The Litestar app: `create_app(settings)` wires controllers, errors, security and metrics;
`serve()` runs it with uvicorn (`localchat serve`)."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
import msgspec
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

from localchat.config import Settings
from localchat.resources import Resources
from localchat.telemetry import Telemetry
from server.controllers.active_models import ActiveModelsController
from server.controllers.chat import ChatController
from server.controllers.collections import CollectionsController
from server.controllers.completions import CompletionsController
from server.controllers.config import RagConfigController
from server.controllers.documents import DocumentsController, JobsController
from server.controllers.embeddings import EmbeddingsController
from server.controllers.health import HealthController, MetricsController
from server.controllers.models import ModelsController
from server.controllers.ollama import OllamaController
from server.controllers.responses import ResponsesController
from server.controllers.search import SearchController
from server.controllers.unprefixed import UNPREFIXED
from server.errors import EXCEPTION_HANDLERS
from server.limits import RouteBodyLimits
from server.mcp_http import McpEndpoint, mcp_route
from server.metrics import Metrics, PrometheusTelemetry, RequestMetrics, count_unmatched
from server.origin import OriginGuard
from server.security import ApiKeys, SecurityMiddleware, check_bind, host_allowlist
from server.state import ServerState
from server.watch import start_watching, stop_watching

log = logging.getLogger("localchat.server")

CONTROLLERS = [
    ChatController,
    CompletionsController,
    ModelsController,
    EmbeddingsController,
    DocumentsController,
    CollectionsController,
    JobsController,
    SearchController,
    RagConfigController,
    ActiveModelsController,
    HealthController,
    MetricsController,
    ResponsesController,
    OllamaController,
    *UNPREFIXED,
]


def openapi_config() -> OpenAPIConfig:
    """GET /schema/openapi.json: LocalChat's own routes (the unprefixed OpenAI aliases, the
    Ollama-compatible API and /mcp are left out: their specs are OpenAI's, Ollama's and MCP's)."""
    from importlib.metadata import version

    return OpenAPIConfig(
        title="LocalChat",
        version=version("localchat"),
        path="/schema",
        render_plugins=[JsonRenderPlugin()],
    )


def create_app(
    settings: Settings,
    *,
    resources: Resources | None = None,
    telemetry: Telemetry | None = None,
) -> Litestar:
    """The server app. Its lifespan opens Resources reporting to the app's Prometheus metrics
    (and on to `telemetry`, if given). Or it serves `resources` opened by the caller (tests,
    embedding apps), left open at shutdown: their own telemetry stays, and when that is a
    PrometheusTelemetry its metrics are the app's."""
    keys = ApiKeys(settings.server.api_keys, settings.server.api_keys_file)
    check_bind(settings.server, keys)
    metrics = metrics_for(resources)
    state = ServerState(settings, metrics)
    mcp = McpEndpoint(state)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(state.open, resources, telemetry)
        watcher = None
        try:
            watcher = await anyio.to_thread.run_sync(start_watching, state)  # ingest.watch
            # What startup built (models, the app, discovery) lives as long as the server: out
            # of the collector's scans, a full collection during an ingest burst stalled the
            # event loop ~740 ms before (tests/integration/watch_stall.py, docs/benchmarks.md).
            gc.collect()  # garbage first, so none of it is frozen
            gc.freeze()
            async with mcp.running():
                yield
        finally:
            gc.unfreeze()  # an app in a longer-lived process (tests) leaves the collector as it was
            await anyio.to_thread.run_sync(stop_watching, watcher)
            await anyio.to_thread.run_sync(state.close)

    cors = settings.server.cors_origins
    app = Litestar(
        route_handlers=[*CONTROLLERS, mcp_route(mcp)],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            # First, so it times and counts what the guards below refuse too.
            DefineMiddleware(RequestMetrics, metrics=metrics),
            SecurityMiddleware(host_allowlist(settings.server), keys),
            OriginGuard(cors),
            RouteBodyLimits(settings),
        ],
        after_exception=[count_unmatched(metrics)],
        lifespan=[lifespan],
        request_max_body_size=settings.server.max_body_bytes,
        cors_config=CORSConfig(allow_origins=list(cors)) if cors else None,
        openapi_config=openapi_config(),
        debug=False,
    )
    app.state.server = state  # the controllers' dependencies come from here (server/deps.py)
    return app


def metrics_for(resources: Resources | None) -> Metrics:
    """The app's metrics: those an injected Resources already reports to, or new ones."""
    telemetry = getattr(resources, "telemetry", None)
    return telemetry.metrics if isinstance(telemetry, PrometheusTelemetry) else Metrics()


def serve(settings: Settings, *, host: str | None = None, port: int | None = None) -> int:
    """Run the server until interrupted (the `localchat serve` command)."""
    import uvicorn

    from server.connections import uvicorn_config

    server = msgspec.structs.replace(
        settings.server, host=host or settings.server.host, port=port or settings.server.port
    )
    settings = msgspec.structs.replace(settings, server=server)
    app = create_app(settings)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    log.info("LocalChat on http://%s:%d (data in %s)", server.host, server.port, settings.data_path)
    runner = uvicorn.Server(uvicorn_config(app, server, log_level="info"))
    # uvicorn shuts down gracefully on Ctrl+C/SIGINT, then re-raises the signal; uvicorn.run()
    # swallows that KeyboardInterrupt, and so must we: a clean stop exits 0, not 130.
    with contextlib.suppress(KeyboardInterrupt):
        runner.run()
    return 0 if runner.started else 1
