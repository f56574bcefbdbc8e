"""Issue 13 against the real server (uvicorn as `localchat serve` runs it, bundled models, real
files): cross-site writes refused on every write route, uploads that never overwrite each other.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import msgspec
import pytest

from localchat.config import load_settings
from server.app import create_app
from tests.conftest import shared_path
from tests.server.realserver import serve_like_cli

EVIL = "http://evil.example"
ALLOWED = "http://allowed.example"
SAFE = {"GET", "HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("security-data")
    settings = load_settings(data_dir=data, environ={})
    settings = msgspec.structs.replace(
        settings, server=msgspec.structs.replace(settings.server, cors_origins=(ALLOWED,))
    )
    app = create_app(settings)
    with serve_like_cli(app, settings.server) as base:
        yield base, app, settings


def wait_job(base: str, job_id: str, timeout: float = 300.0) -> dict:
    deadline = time.monotonic() + timeout
    while (job := httpx.get(f"{base}/api/jobs/{job_id}").json())["finished_at"] is None:
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    return job


def write_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) of the app that may change state: new routes are covered too."""
    found = []
    for route in app.routes:
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        found += [
            (method, path) for method in sorted(getattr(route, "methods", ())) if method not in SAFE
        ]
    return found


def documents(base: str) -> list[dict]:
    return httpx.get(f"{base}/api/documents").json()["data"]


def test_every_write_route_refuses_other_origins_and_non_json(server):
    base, app, _ = server
    routes = write_routes(app)
    assert ("POST", "/api/documents") in routes and ("DELETE", "/api/documents/1") in routes
    assert ("POST", "/api/config/rag") in routes and ("POST", "/v1/chat/completions") in routes
    for method, path in routes:
        for headers in ({"Origin": EVIL}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
            reply = httpx.request(method, base + path, json={"top_k": 1}, headers=headers)
            assert reply.status_code == 403, (method, path, headers, reply.text)
            assert reply.json()["error"]["code"] == "cross_site_request"
        plain = httpx.request(
            method, base + path, content=b'{"top_k": 1}', headers={"Content-Type": "text/plain"}
        )
        assert plain.status_code == 415, (method, path, plain.text)
        assert set(plain.json()["error"]) == {"message", "type", "param", "code"}


def test_the_attacks_from_the_review_change_nothing(server):
    base, _, _ = server
    before_docs, before_rag = documents(base), httpx.get(f"{base}/api/config/rag").json()
    upload = httpx.post(
        f"{base}/api/documents",
        files={"file": ("x.txt", b"planted text")},
        headers={"Origin": EVIL},
    )
    assert upload.status_code == 403
    rag = httpx.post(
        f"{base}/api/config/rag",
        content=b'{"top_k": 1, "chunk_size": 300}',
        headers={"Origin": EVIL, "Content-Type": "text/plain"},
    )
    assert rag.status_code == 403
    smuggled = httpx.post(
        f"{base}/api/config/rag", content=b'{"top_k": 1}', headers={"Content-Type": "text/plain"}
    )
    assert smuggled.status_code == 415
    assert documents(base) == before_docs
    assert httpx.get(f"{base}/api/config/rag").json() == before_rag


def test_same_origin_allowed_origins_and_programs_still_write(server):
    base, _, _ = server
    current = httpx.get(f"{base}/api/config/rag").json()["top_k"]
    for headers in ({"Origin": ALLOWED}, {"Origin": base}, {"Sec-Fetch-Site": "same-origin"}, {}):
        reply = httpx.post(f"{base}/api/config/rag", json={"top_k": current}, headers=headers)
        assert reply.status_code == 200, (headers, reply.text)
    assert httpx.get(f"{base}/v1/models", headers={"Origin": EVIL}).status_code == 200


def upload(base: str, files: list[tuple[str, bytes]], **params) -> dict:
    parts = [("file", (name, data, "text/plain")) for name, data in files]
    reply = httpx.post(f"{base}/api/documents", files=parts, params=params, timeout=60)
    assert reply.status_code == 202, reply.text
    return wait_job(base, reply.json()["id"])


def stored_text(base: str, document_id: int) -> str:
    path = httpx.get(f"{base}/api/documents/{document_id}").json()["path"]
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_same_names_from_different_folders_both_survive(server):
    base, _, _ = server
    first = b"Harbour pilots board incoming freighters at the outer buoy.\n"
    second = b"Glacier ice cores record volcanic ash layers from past eruptions.\n"
    job = upload(base, [("ships/README.txt", first), ("ice/README.txt", second)])
    assert job["status"] == "done" and job["added"] == 2 and job["files_total"] == 2, job
    texts = {stored_text(base, i) for i in job["document_ids"]}
    assert texts == {first.decode(), second.decode()}
    hits = httpx.post(f"{base}/api/search", json={"query": "harbour pilots freighters"}).json()
    assert hits["hits"][0]["document_id"] in job["document_ids"]


def test_names_that_sanitise_alike_do_not_collide(server):
    base, _, _ = server
    colon, semicolon = b"Colon file: mangrove roots.\n", b"Semicolon file: basalt columns.\n"
    job = upload(base, [("a:b.txt", colon), ("a;b.txt", semicolon)])
    assert job["added"] == 2, job
    assert {stored_text(base, i) for i in job["document_ids"]} == {
        colon.decode(),
        semicolon.decode(),
    }


def test_concurrent_same_name_uploads_report_what_is_stored(server):
    base, _, _ = server
    bodies = [
        f"Version {n}: the lighthouse keeper logs fog horn hours.\n".encode() for n in range(4)
    ]
    jobs: list[dict] = []

    def send(body: bytes) -> None:
        jobs.append(upload(base, [("log.txt", body)]))

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(jobs) == 4
    for job in jobs:
        assert job["added"] == 1 and len(job["document_ids"]) == 1, job
    stored = {stored_text(base, job["document_ids"][0]) for job in jobs}
    assert stored == {body.decode() for body in bodies}, "each report names its own file"


def test_long_names_keep_their_extension(server):
    base, _, _ = server
    name = "field-notes-" + "x" * 240 + ".md"
    job = upload(base, [(name, b"# Notes\n\nTide pools hold anemones and sea stars.\n")])
    assert job["status"] == "done" and job["added"] == 1 and job["errors"] == [], job
    record = httpx.get(f"{base}/api/documents/{job['document_ids'][0]}").json()
    assert record["filename"].endswith(".md") and len(record["filename"]) <= 200
    assert record["media_type"] == "text/markdown"


def test_replace_is_explicit(server):
    base, _, _ = server
    old = upload(base, [("policy.txt", b"Old policy: visitors sign in at the front desk.\n")])
    kept = upload(base, [("policy.txt", b"New policy: visitors show a badge at the gate.\n")])
    ids = {d["id"] for d in documents(base)}
    assert set(old["document_ids"]) | set(kept["document_ids"]) <= ids, "no silent replacement"
    old_path = httpx.get(f"{base}/api/documents/{old['document_ids'][0]}").json()["path"]
    new = upload(
        base,
        [("policy.txt", b"Final policy: visitors are escorted at all times.\n")],
        replace="true",
    )
    assert new["status"] == "done" and new["replaced"] == 1 and new["added"] == 0, new
    names = [d["filename"] for d in documents(base)]
    assert names.count("policy.txt") == 1
    assert stored_text(base, new["document_ids"][0]).startswith("Final policy")
    assert not httpx.get(f"{base}/api/documents/{old['document_ids'][0]}").is_success
    assert not Path(old_path).exists(), "the replaced upload's copy is removed"


def test_a_real_pdf_upload_still_works(server):
    base, _, _ = server
    pdf = shared_path("docs-corpus", "go-gofrontend-gcc-summit-2010.pdf")
    reply = httpx.post(
        f"{base}/api/documents",
        files={"file": (pdf.name, pdf.read_bytes(), "application/pdf")},
        timeout=60,
    )
    job = wait_job(base, reply.json()["id"])
    assert job["status"] == "done" and job["added"] == 1, job
