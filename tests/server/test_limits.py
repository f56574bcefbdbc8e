"""Issue 13 item 6 on a real uvicorn server: per-route body limits, the embedding input cap,
slowloris connections cut off by the header timeout while /live keeps answering."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import msgspec
import pytest

from server.app import create_app
from server.limits import chat_body_limit, max_messages
from tests.server.realserver import serve_like_cli

CHAT = {"model": "localchat", "messages": [{"role": "user", "content": "Which nut holds?"}]}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status")


@pytest.fixture
def server(settings, runtime):
    fast = msgspec.structs.replace(
        settings.server, header_timeout_s=1.5, body_timeout_s=1.5, max_embedding_inputs=64
    )
    settings = msgspec.structs.replace(settings, server=fast)
    with serve_like_cli(create_app(settings, resources=runtime), fast, timeout=60) as base:
        yield base, settings


def test_a_50_mb_chat_body_is_refused_without_growing_the_server(server, tmp_path):
    base, settings = server
    body = tmp_path / "body.json"
    body.write_text(
        json.dumps(
            {"model": "localchat", "messages": [{"role": "user", "content": "x" * (50 << 20)}]}
        )
    )
    # The client runs in a child process: the server shares this one, so only its own memory
    # counts (the client's copies of the body once made this measure flaky).
    send = (
        "import httpx, sys, time; t = time.monotonic(); "
        "r = httpx.post(sys.argv[1], content=open(sys.argv[2], 'rb').read(), "
        "headers={'Content-Type': 'application/json'}, timeout=30); "
        "print(r.status_code, r.json()['error']['code'], round(time.monotonic() - t, 3))"
    )
    before = rss_mb()
    done = subprocess.run(
        [sys.executable, "-c", send, f"{base}/v1/chat/completions", str(body)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, code, seconds = done.stdout.split()
    assert (status, code) == ("413", "payload_too_large"), done.stdout
    assert float(seconds) < 5
    assert rss_mb() - before < 100, "the body was not decoded"

    def chunks():  # no Content-Length: counted as it arrives and cut off at the limit
        for _ in range(50):
            yield b"x" * (1 << 20)

    chunked = httpx.post(
        f"{base}/v1/chat/completions",
        content=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert chunked.status_code == 413, chunked.text
    assert rss_mb() - before < 150
    assert httpx.post(f"{base}/v1/chat/completions", json=CHAT).status_code == 200
    assert chat_body_limit(settings) == 128 * settings.models.context_tokens


def test_too_many_messages_is_400(server):
    base, settings = server
    many = [{"role": "user", "content": "hi"}] * (max_messages(settings) + 1)
    reply = httpx.post(
        f"{base}/v1/chat/completions", json={"model": "localchat", "messages": many}, timeout=30
    )
    assert reply.status_code == 400 and reply.json()["error"]["param"] == "messages"


def test_2000_embedding_inputs_are_refused_quickly(server):
    base, _ = server
    started = time.monotonic()
    reply = httpx.post(
        f"{base}/v1/embeddings",
        json={"model": "localchat", "input": ["some text to embed"] * 2000},
        timeout=30,
    )
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["param"] == "input" and "64" in reply.json()["error"]["message"]
    assert time.monotonic() - started < 2
    ok = httpx.post(f"{base}/v1/embeddings", json={"model": "localchat", "input": ["a b"] * 64})
    assert ok.status_code == 200 and len(ok.json()["data"]) == 64, ok.text


def test_slowloris_connections_do_not_block_live_and_are_closed(server):
    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    sockets = []
    for _ in range(200):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /api/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sockets.append(sock)
    slowest = 0.0
    deadline = time.monotonic() + 4  # bounded: the header timeout is 1.5 s
    while time.monotonic() < deadline:
        for sock in sockets:  # keep trickling: each byte resets nothing
            with contextlib.suppress(OSError):
                sock.send(b"a")
        started = time.monotonic()
        assert httpx.get(f"{base}/api/health/live", timeout=5).status_code == 200
        slowest = max(slowest, time.monotonic() - started)
        time.sleep(0.2)
    assert slowest < 1.0, f"/live took {slowest:.2f}s"  # 2.7 s before the fix
    closed = 0
    for sock in sockets:
        sock.settimeout(2)
        try:
            closed += sock.recv(1) == b""
        except OSError:
            closed += 1
        sock.close()
    assert closed == len(sockets), f"only {closed} of {len(sockets)} slow connections were cut"
