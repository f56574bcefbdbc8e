"""`localchat mcp` over stdio, driven by the official MCP SDK's client (real models, real store)."""

from __future__ import annotations

import os
import subprocess
import sys

import anyio
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.conftest import REPO
from tests.integration.mcp_checks import exercise
from tests.server.harness import write_docs

QUESTION = "What keeps a Boots self-locking nut tight under vibration?"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mcp-stdio")
    docs = write_docs(folder / "docs")
    command = [sys.executable, "-m", "localchat.cli", "--data-dir", str(folder / "data")]
    done = subprocess.run(
        [*command, "ingest", *map(str, docs)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        env=child_env(),
    )
    assert done.returncode == 0, done.stderr
    return folder / "data"


def child_env() -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO)}
    env["LOCALCHAT_MODELS_MAX_ANSWER_TOKENS"] = "24"
    return env


def test_stdio_session(data_dir):
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "localchat.cli", "--data-dir", str(data_dir), "mcp"],
        env=child_env(),
        cwd=str(REPO),
    )

    async def run() -> dict:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            return await exercise(session, QUESTION, "nuts.md")

    checked = anyio.run(run)
    # ingest_paths is off unless mcp.allow_ingest turns it on: refused, with the setting named.
    assert "mcp.allow_ingest" in checked["errors"]["outside roots"]
