"""The one translation of failures into OpenAI's envelope {"error": {message, type, param, code}}.

Every exception a request can raise ends here: LocalChatError subclasses keep their status and
code; Litestar's own HTTP errors (bad JSON, wrong types, unknown route, body too large) become
the matching LocalChatError; anything else is a 500 whose details go to the log, never to the
client. Validation failures are 400, never 422.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.types import Send

from localchat.errors import (
    AuthenticationError,
    HostNotAllowedError,
    InternalError,
    InvalidRequestError,
    LocalChatError,
    MethodNotAllowedError,
    PayloadTooLargeError,
    RouteNotFoundError,
)
from localchat.wire.openai import ErrorBody, ErrorEnvelope

log = logging.getLogger("localchat.server")

API_DOCS = "docs/api.md"


SERVER_ERRORS = (RouteNotFoundError, MethodNotAllowedError, HostNotAllowedError, InternalError)


def envelope(exc: LocalChatError) -> bytes:
    body = ErrorBody(
        message=exc.user_message(), type=exc.error_type, param=exc.param, code=exc.code
    )
    return msgspec.json.encode(ErrorEnvelope(body))


def headers_for(exc: LocalChatError) -> dict[str, str]:
    return {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else {}


def error_response(exc: LocalChatError) -> Response:
    return Response(
        content=envelope(exc),
        status_code=exc.status,
        media_type="application/json",
        headers=headers_for(exc),
    )


async def send_error(send: Send, exc: LocalChatError) -> None:
    """Answer from ASGI middleware (before any route handler runs)."""
    body = envelope(exc)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in headers_for(exc).items()]
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def handle_exception(request: Request, exc: Exception) -> Response:
    """Litestar exception handler for every exception type."""
    error = to_localchat_error(exc, request.scope)
    if error.status >= 500:
        log.error(
            "%s %s failed: %s",
            request.method,
            request.url.path,
            error.message,
            exc_info=exc if isinstance(error, InternalError) else None,
        )
    return error_response(error)


def to_localchat_error(exc: Exception, scope: Any = None) -> LocalChatError:
    if isinstance(exc, LocalChatError):
        return exc
    if isinstance(exc, ValidationException):
        return validation_error(exc)
    if isinstance(exc, RecursionError):  # msgspec's answer to JSON nested thousands deep
        return too_deep_error()
    if isinstance(exc, RequestEntityTooLarge):
        return PayloadTooLargeError(
            "the request body is over the server's size limit",
            hint="send a smaller body or file, or raise server.max_body_bytes",
        )
    if isinstance(exc, NotAuthorizedException):
        return AuthenticationError(str(exc.detail), hint="send Authorization: Bearer <key>")
    if isinstance(exc, NotFoundException):
        method, path = _route(scope)
        return RouteNotFoundError(
            f"there is no route {method} {path}",
            hint=f"see {API_DOCS} for the routes LocalChat serves",
        )
    if isinstance(exc, MethodNotAllowedException):
        method, path = _route(scope)
        return MethodNotAllowedError(
            f"{path} does not accept {method}", hint=f"see {API_DOCS} for the methods of each route"
        )
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return InvalidRequestError(str(exc.detail), hint=f"see {API_DOCS}")
    return InternalError(
        "the server failed unexpectedly while answering this request",
        hint="retry; if it persists, the server log has the details (please report it)",
    )


def _route(scope: Any) -> tuple[str, str]:
    if not scope:
        return "?", "?"
    return str(scope.get("method", "?")), str(scope.get("path", "?"))


_MISSING = re.compile(r"Object missing required field `([^`]+)`")


def validation_error(exc: ValidationException) -> InvalidRequestError:
    detail = str(exc.detail)
    if detail.startswith("JSON is malformed"):
        return InvalidRequestError(
            f"the request body is not valid JSON ({detail.removeprefix('JSON is malformed: ')})",
            hint="send one JSON object with Content-Type: application/json",
        )
    problems = exc.extra if isinstance(exc.extra, list) else []
    if not problems:
        return InvalidRequestError(detail, hint=f"see {API_DOCS}")
    first = problems[0] if isinstance(problems[0], dict) else {"message": str(problems[0])}
    return field_error(str(first.get("message", detail)), str(first.get("key") or ""))


def field_error(message: str, key: str) -> InvalidRequestError:
    """A 400 naming the offending field, e.g. `messages[0].role`."""
    key = "" if key == "data" else key  # Litestar's name for the whole body
    if missing := _MISSING.search(message):
        key = f"{key}.{missing.group(1)}" if key else missing.group(1)
        message = "this required field is missing"
    elif not key:
        return InvalidRequestError(
            f"the request body is wrong: {message}",
            hint="send a JSON object as documented in " + API_DOCS,
        )
    hint = f"fix `{key}` (see {API_DOCS} for each field's type)"
    if key.endswith(".role"):
        hint = "use one of the roles system, developer, user, assistant, tool"
    return InvalidRequestError(f"{key}: {message}", hint=hint, param=key)


_JSON_PATH = re.compile(r" - at `\$\.?(.*)`$")


def decode_json(body: bytes, type_: type) -> Any:
    """Decode a body the handler reads itself, with the same 400s as Litestar's `data`."""
    try:
        return msgspec.json.decode(body, type=type_)
    except msgspec.ValidationError as exc:
        text = str(exc)
        match = _JSON_PATH.search(text)
        key = match.group(1) if match else ""
        raise field_error(text[: match.start()] if match else text, key) from None
    except msgspec.DecodeError as exc:
        raise InvalidRequestError(
            f"the request body is not valid JSON ({exc})",
            hint="send one JSON object with Content-Type: application/json",
        ) from None
    except RecursionError:
        raise too_deep_error() from None


def too_deep_error() -> InvalidRequestError:
    return InvalidRequestError(
        "the request body is nested too deeply to decode",
        hint="send a JSON object nested at most a few hundred levels deep",
    )


EXCEPTION_HANDLERS = {Exception: handle_exception}
