"""Per-route body limits: a chat is sized to the model's context, embeddings to their input cap.

The global `server.max_body_bytes` is sized for uploads; a chat body that large would be
decoded, tokenised and budgeted in full (a 50 MB body once drove the server past 4 GB). Routes
are matched by their last path segments, so the unprefixed and Ollama-style aliases of the
same handlers are covered as well.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from localchat.config import Settings
from localchat.errors import InvalidRequestError, PayloadTooLargeError
from server.errors import send_error

CHAT_ENDINGS = ("/chat/completions", "/completions", "/responses", "/api/chat", "/api/generate")
EMBED_ENDINGS = ("/embeddings", "/api/embed")
BYTES_PER_CONTEXT_TOKEN = 128  # JSON escapes and chat markup included, with room to spare
BYTES_PER_EMBEDDING_INPUT = 16 * 1024
MIN_CHAT_BYTES = 256 * 1024
TOKENS_PER_MESSAGE = 4  # the chat template's overhead for the smallest message


def chat_body_limit(settings: Settings) -> int:
    return max(MIN_CHAT_BYTES, BYTES_PER_CONTEXT_TOKEN * settings.models.context_tokens)


def embedding_body_limit(settings: Settings) -> int:
    return BYTES_PER_EMBEDDING_INPUT * settings.server.max_embedding_inputs


def max_messages(settings: Settings) -> int:
    return max(16, settings.models.context_tokens // TOKENS_PER_MESSAGE)


def check_message_count(count: int, settings: Settings) -> None:
    limit = max_messages(settings)
    if count > limit:
        raise InvalidRequestError(
            f"the chat has {count} messages; at most {limit} fit the model's "
            f"{settings.models.context_tokens}-token context",
            hint="send only the recent messages (older ones would not fit anyway)",
            param="messages",
        )


def check_input_count(count: int, settings: Settings) -> None:
    limit = settings.server.max_embedding_inputs
    if count > limit:
        raise InvalidRequestError(
            f"input holds {count} texts; at most {limit} are embedded per request",
            hint=f"send the texts in batches of {limit} or fewer "
            "(or raise server.max_embedding_inputs)",
            param="input",
        )


def route_limit(path: str, settings: Settings) -> tuple[int, str] | None:
    path = path.rstrip("/")
    if path.endswith(CHAT_ENDINGS):
        return chat_body_limit(settings), "models.context_tokens"
    if path.endswith(EMBED_ENDINGS):
        return embedding_body_limit(settings), "server.max_embedding_inputs"
    return None


def too_large(limit: int, setting: str) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the request body is over this route's {limit // 1024} KiB limit",
        hint=f"send less (the limit follows {setting})",
    )


class RouteBodyLimits(ASGIMiddleware):
    """413 before reading when Content-Length is over the route's limit; a chunked body is
    counted as it arrives and cut off at the limit."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        found = route_limit(scope["path"], self.settings)
        if found is None:
            await next_app(scope, receive, send)
            return
        limit, setting = found
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if length is not None and length.isdigit() and int(length) > limit:
            await send_error(send, too_large(limit, setting))
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit, setting)
            return message

        await next_app(scope, counted, send)
