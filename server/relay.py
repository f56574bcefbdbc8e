"""Tool-calling chat requests relayed to an upstream generator unchanged (tools, tool_calls,
`role: "tool"` messages), and its answer relayed back as it came: LocalChat's local models run
no tool calls, an upstream server (Ollama, vLLM, llama.cpp) may. No retrieval is added."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import anyio.to_thread
import msgspec
from litestar import Request, Response
from litestar.response import Stream

from localchat.errors import ToolsUnsupportedError
from server.bridge import ChatThreads


async def relay_tool_request(
    threads: ChatThreads, generator, request: Request, stream: bool
) -> Response | Stream:
    relay = getattr(generator, "relay", None)
    if relay is None:
        raise ToolsUnsupportedError(
            "tool calls are not supported by the local answer model",
            hint='leave out tools (or send tool_choice "none") and tool messages, or set '
            "models.upstream_base_url to a server that runs tool calls",
            param="tools",
        )
    body = msgspec.json.decode(await request.body())
    response = await anyio.to_thread.run_sync(relay, body)
    media_type = response.headers.get("content-type", "application/json")
    if not stream:
        content = await anyio.to_thread.run_sync(_read, response)
        return Response(content=content, media_type=media_type)
    cancel = threading.Event()
    return Stream(
        threads.iterate(lambda: _chunks(response), cancel),
        media_type=media_type,
        headers={"Cache-Control": "no-cache"},
    )


def _read(response) -> bytes:
    try:
        return response.read()
    finally:
        response.close()


def _chunks(response) -> Iterator[bytes]:
    try:
        yield from response.iter_raw()
    finally:
        response.close()
