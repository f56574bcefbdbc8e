"""/mcp: the core's MCP server over Streamable HTTP, mounted as an ASGI app inside Litestar.

It sits behind the app's SecurityMiddleware like every route (Host allowlist, API keys). The
SDK's own Host/Origin check is off so there is one policy; MCP's spec asks servers to check
Origin, so a browser page from any origin but loopback or server.cors_origins gets 403 here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from litestar import asgi
from litestar.types import Receive, Scope, Send
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings

from localchat.errors import NotReadyError, PermissionDeniedError
from localchat.mcp.server import build_server
from localchat.mcp.tools import LibraryTools
from server.errors import send_error
from server.security import is_loopback
from server.state import ServerState


class OriginNotAllowedError(PermissionDeniedError):
    code = "origin_not_allowed"


def origin_allowed(headers, cors_origins: tuple[str, ...]) -> bool:
    raw = next((v for k, v in headers if k == b"origin"), None)
    if raw is None:  # not a browser (SDKs, editors, curl)
        return True
    origin = raw.decode("latin-1").strip()
    if origin in cors_origins or "*" in cors_origins:
        return True
    host = urlsplit(origin).hostname
    return host is not None and is_loopback(host)


class McpEndpoint:
    """Owns the SDK's session manager; started and stopped by the app's lifespan."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.manager: StreamableHTTPSessionManager | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        state = self.state
        tools = LibraryTools(state.resources, state.chat, state.jobs, state.settings)
        server = build_server(tools)
        self.manager = StreamableHTTPSessionManager(
            app=server._lowlevel_server,  # the SDK's own streamable_http_app() does the same
            json_response=False,
            stateless=False,
            security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        try:
            async with self.manager.run():
                yield
        finally:
            self.manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not origin_allowed(scope["headers"], self.state.settings.server.cors_origins):
            await send_error(
                send,
                OriginNotAllowedError(
                    "requests to /mcp from this web origin are refused",
                    hint="add the origin to server.cors_origins if it is yours",
                ),
            )
            return
        if self.manager is None:
            await send_error(send, NotReadyError("MCP is still starting", hint="retry"))
            return
        await self.manager.handle_request(scope, receive, send)


def mcp_route(endpoint: McpEndpoint):
    @asgi("/mcp", is_mount=True, copy_scope=True)
    async def mcp_mount(scope: Scope, receive: Receive, send: Send) -> None:
        await endpoint(scope, receive, send)

    return mcp_mount
