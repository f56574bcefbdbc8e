"""The answer cache through the real server: uvicorn, the bundled models, the `openai` SDK.

Never stale: an edited, re-ingested document is answered afresh from its new text, and a
deleted one is never answered from. Persistent: a restart serves the same answer from L2.
Nothing here depends on what the 135M model says: only on cache headers, sources, and the
equality of a cached answer with the one it replays.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import msgspec
import openai
import pytest

from localchat.config import Settings, load_settings
from server.app import create_app
from tests.server.harness import running_server, sse_events

QUESTION = "Which model is the Zorblat reactor's cooling pump?"
OLD_FACT = "The Zorblat reactor's cooling pump is model QX-17."
NEW_FACT = "The Zorblat reactor's cooling pump is model RT-42."
FILENAME = "zorblat.md"


def document(fact: str) -> str:
    return f"# Zorblat reactor\n\n{fact} It runs at night and is serviced every spring.\n"


@pytest.fixture
def library(tmp_path: Path) -> tuple[Settings, Path]:
    """Settings with a fresh data dir, and a docs folder the server may ingest paths from."""
    docs = (tmp_path / "docs").resolve()
    docs.mkdir()
    (docs / FILENAME).write_text(document(OLD_FACT), encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data", environ={})
    server = msgspec.structs.replace(settings.server, allowed_roots=(str(docs),))
    return msgspec.structs.replace(settings, server=server), docs / FILENAME


@contextmanager
def server(settings: Settings) -> Iterator[tuple[str, openai.OpenAI]]:
    with running_server(create_app(settings), timeout=300) as base:
        client = openai.OpenAI(base_url=f"{base}/v1", api_key="loopback", max_retries=0)
        yield base, client
        client.close()


def ingest(base: str, path: Path) -> dict:
    """POST /api/documents with the file's path; the finished job."""
    response = httpx.post(f"{base}/api/documents", json={"paths": [str(path)]}, timeout=60)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    deadline = time.monotonic() + 300
    while (job := httpx.get(f"{base}/api/jobs/{job_id}").json())["finished_at"] is None:
        assert time.monotonic() < deadline, f"ingestion did not finish: {job}"
        time.sleep(0.1)
    assert job["status"] == "done" and job["failed"] == 0, f"{job['errors']} {job['message']}"
    return job


def ask(client: openai.OpenAI) -> tuple[str, str, list[dict]]:
    """(X-LocalChat-Cache, answer text, sources) of the question, greedy and short."""
    raw = client.chat.completions.with_raw_response.create(
        model="localchat:fast",
        messages=[{"role": "user", "content": QUESTION}],
        max_tokens=24,
        temperature=0,
    )
    body = json.loads(raw.http_response.text)
    assert raw.parse().choices[0].message.content == body["choices"][0]["message"]["content"]
    return (
        raw.headers["x-localchat-cache"],
        body["choices"][0]["message"]["content"],
        body["sources"],
    )


def ask_streamed(base: str) -> tuple[str, str]:
    """(X-LocalChat-Cache, answer text) of the same question as a stream."""
    payload = {
        "model": "localchat:fast",
        "messages": [{"role": "user", "content": QUESTION}],
        "max_tokens": 24,
        "temperature": 0,
        "stream": True,
    }
    with httpx.stream("POST", f"{base}/v1/chat/completions", json=payload, timeout=120) as r:
        assert r.status_code == 200
        chunks = [c for c in sse_events(r.iter_lines()) if c != "[DONE]"]
        text = "".join(
            c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]
        )
        return r.headers["x-localchat-cache"], text


def passages(sources: list[dict]) -> str:
    """The passage text of every source (the `text` extension), joined."""
    assert sources, "the answer cites no source"
    assert {s["filename"] for s in sources} == {FILENAME}, sources
    return "\n".join(s["text"] for s in sources)


def test_an_edited_document_never_yields_an_old_answer(library):
    settings, path = library
    with server(settings) as (base, client):
        assert ingest(base, path)["added"] == 1

        tier, first, sources = ask(client)
        assert tier == "miss"
        assert "QX-17" in passages(sources)
        tier, again, cached_sources = ask(client)
        assert (tier, again, cached_sources) == ("l1", first, sources)
        assert ask_streamed(base) == ("l1", first)  # a stream is replayed from the cache too

        path.write_text(document(NEW_FACT), encoding="utf-8")
        assert ingest(base, path)["replaced"] == 1

        tier, fresh, sources = ask(client)
        assert tier == "miss", "an answer from before the edit was served"
        text = passages(sources)
        assert "RT-42" in text and "QX-17" not in text
        tier, again, cached_sources = ask(client)
        assert (tier, again, cached_sources) == ("l1", fresh, sources)


def test_a_cached_answer_survives_a_restart_until_its_document_is_deleted(library):
    settings, path = library
    with server(settings) as (base, client):
        (document_id,) = ingest(base, path)["document_ids"]
        tier, first, sources = ask(client)
        assert tier == "miss" and "QX-17" in passages(sources)

    with server(settings) as (base, client):  # the same data dir: a restarted server
        tier, restarted, cached_sources = ask(client)
        assert tier == "l2"
        assert (restarted, cached_sources) == (first, sources)
        assert ask(client)[0] == "l1"  # the L2 hit was promoted

        deleted = httpx.delete(f"{base}/api/documents/{document_id}", timeout=60)
        assert deleted.status_code == 200, deleted.text
        tier, after, sources = ask(client)
        assert tier == "miss" and sources == []
        assert after != first
