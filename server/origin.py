"""Cross-site request forgery: which requests may change state, judged by method, not route.

A web page in the user's browser can send POSTs to 127.0.0.1 (its Host header is then a
loopback name, so the Host allowlist lets it through). Browsers mark such requests with
`Origin` and `Sec-Fetch-Site`; a page can avoid a CORS preflight only with the "simple"
content types (text/plain, form encodings). So every request whose method may change state is
refused when it comes from another origin, and its body must be JSON or a multipart upload.
Safe methods (GET, HEAD, OPTIONS) pass: CORS keeps other sites from reading their answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from localchat.errors import CrossSiteRequestError, UnsupportedMediaTypeError
from server.errors import send_error

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# JSON, and multipart only for uploads (a browser form can send it, but then Origin tells).
BODY_TYPES = frozenset({"application/json", "multipart/form-data"})


# curl's -d without -H labels a JSON body so; Ollama's documented examples send it that way.
FORM_TYPE = "application/x-www-form-urlencoded"


def from_program(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    """No browser sent this: fetch() adds Origin to every POST and modern browsers add
    Sec-Fetch-Site to every request. An old browser's <form> may send neither, but it
    percent-encodes `{`, `"` and `:`, so a form-encoded body from it is never JSON."""
    return header(headers, b"origin") is None and header(headers, b"sec-fetch-site") is None


def header(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> str | None:
    raw = next((v for k, v in headers if k == name), None)
    return None if raw is None else raw.decode("latin-1").strip()


def normal_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def same_origin(origin: str, host: str | None) -> bool:
    """Origin names the server itself (scheme://Host; the Host is already allowlisted)."""
    if not host:
        return False
    return origin in (f"http://{host.lower()}", f"https://{host.lower()}")


def has_body(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    length = header(headers, b"content-length")
    if length is not None:
        return length not in ("", "0")
    return header(headers, b"transfer-encoding") is not None


class OriginGuard(ASGIMiddleware):
    """Refuses state-changing requests from other origins, and bodies that are not JSON or
    multipart. Clients outside a browser (the openai SDK, curl, the TUI) send no Origin."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, allowed_origins: Iterable[str]) -> None:
        self.allowed = frozenset(normal_origin(o) for o in allowed_origins)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["method"] not in SAFE_METHODS:
            refusal = self.refusal(scope["method"], scope["path"], scope["headers"])
            if refusal is not None:
                await send_error(send, refusal)
                return
        await next_app(scope, receive, send)

    def refusal(
        self, method: str, path: str, headers: Sequence[tuple[bytes, bytes]]
    ) -> CrossSiteRequestError | UnsupportedMediaTypeError | None:
        origin = header(headers, b"origin")
        if origin is not None:
            origin = normal_origin(origin)
            if not (origin in self.allowed or same_origin(origin, header(headers, b"host"))):
                return CrossSiteRequestError(
                    f"{method} {path} from the web page at {origin} is refused: pages of "
                    "other sites may not change LocalChat",
                    hint="if you trust that page, add its origin to server.cors_origins",
                )
        elif header(headers, b"sec-fetch-site") == "cross-site":
            return CrossSiteRequestError(
                f"{method} {path} came from another site and is refused",
                hint="send the request from a program, or add the page's origin to "
                "server.cors_origins",
            )
        content_type = header(headers, b"content-type")
        # A body without a type is a program's (a browser's fetch() adds text/plain to a
        # string body, and a cross-origin write always carries Origin, refused above).
        if content_type is not None and has_body(headers):
            media_type = content_type.split(";")[0].strip().lower()
            if media_type == FORM_TYPE and from_program(headers):
                return None  # `curl -d '{…}'`, as Ollama's own examples send JSON
            if media_type not in BODY_TYPES:
                return UnsupportedMediaTypeError(
                    f"{method} {path} does not accept a body of type {media_type or '(empty)'}",
                    hint="send JSON with Content-Type: application/json (files as "
                    "multipart/form-data)",
                )
        return None
