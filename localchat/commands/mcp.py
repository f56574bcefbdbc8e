"""`localchat mcp`: the MCP server over stdio, for assistants and editors that launch a command."""

from __future__ import annotations

import argparse
import logging
import sys

import anyio

from localchat.chat.service import ChatService
from localchat.config import Settings
from localchat.jobs.manager import JobManager
from localchat.resources import Resources


def main(args: argparse.Namespace, settings: Settings) -> int:
    from localchat.mcp.server import build_server
    from localchat.mcp.tools import LibraryTools

    # stdout is the protocol channel: every log line goes to stderr.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    runtime = Resources.open(settings)
    jobs = JobManager(runtime)
    try:
        tools = LibraryTools(runtime, ChatService(runtime), jobs, settings)
        anyio.run(build_server(tools).run_stdio_async)
    finally:
        jobs.close()
        runtime.close()
    return 0
