"""Who can reach what: path ingestion confined to allowed roots over HTTP, the Host allowlist
against DNS rebinding, API keys required off loopback, CORS off unless configured, and no
document text or secrets in the logs at the default level."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import msgspec
import pytest
from litestar.testing import TestClient

from localchat.config import Settings, load_settings
from localchat.errors import ConfigError
from server.app import create_app
from server.security import ApiKeys, check_bind
from tests.server.conftest import BASE_URL
from tests.server.harness import fake_runtime, write_docs

SECRET_TEXT = "ZEBRA-PASSPHRASE-4471 is the vault combination"
API_KEY = "sk-local-test-key-0042"


def serve(settings: Settings, tmp_path: Path, **server):
    settings = msgspec.structs.replace(
        settings, server=msgspec.structs.replace(settings.server, **server)
    )
    runtime = fake_runtime(settings)
    runtime.library.ingest(write_docs(tmp_path / "docs"))
    return runtime, TestClient(create_app(settings, resources=runtime), base_url=BASE_URL)


@pytest.fixture
def roots(tmp_path: Path):
    root = tmp_path / "allowed"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "ok.md").write_text("# Fine\n\nA document inside the root.\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"# Secret\n\n{SECRET_TEXT}\n")
    os.symlink(outside / "secret.md", root / "sub" / "link.md")  # file symlink escape
    os.symlink(outside, root / "escape")  # folder symlink escape
    return root, outside


def test_json_paths_cannot_leave_the_allowed_roots(settings, tmp_path, roots):
    root, outside = roots
    runtime, client = serve(settings, tmp_path, allowed_roots=(str(root),))
    with client:
        refused = [
            f"{root}/../outside/secret.md",  # `..`
            f"{root}/sub/../../outside",
            "sub/ok.md",  # relative: resolved against the server's cwd, never allowed
            str(outside / "secret.md"),  # absolute, outside
            "/etc/passwd",
            str(root / "sub" / "link.md"),  # a symlink to a file outside
            str(root / "escape"),  # a symlink to a folder outside
            str(root / "escape" / "secret.md"),
        ]
        for path in refused:
            response = client.post("/api/documents", json={"paths": [path]})
            assert response.status_code == 403, (path, response.text)
            assert response.json()["error"]["code"] == "path_not_allowed"
        # A folder inside the root that holds an escaping symlink: the inside file is ingested,
        # the link is refused in the job, the secret is never read.
        response = client.post("/api/documents", json={"paths": [str(root)]})
        assert response.status_code == 202
        job = runtime_jobs_wait(client, response.json()["id"])
        assert job["added"] == 1 and job["failed"] >= 1
        assert {e["code"] for e in job["errors"]} == {"path_not_allowed"}
    texts = " ".join(r[0] for r in runtime.store.read("SELECT text FROM chunks"))
    assert "ZEBRA" not in texts
    runtime.close()


def runtime_jobs_wait(client: TestClient, job_id: str) -> dict:
    import time

    deadline = time.monotonic() + 60
    while (job := client.get(f"/api/jobs/{job_id}").json())["finished_at"] is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return job


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "evil.example:8484",
        "localhost@evil.example",
        "0.0.0.0",
        "",
    ],
)
def test_rebinding_hosts_are_refused_but_probes_answer(settings, tmp_path, host):
    runtime, client = serve(settings, tmp_path)
    with client:
        response = client.get("/v1/models", headers={"host": host})
        assert (
            response.status_code == 400 and response.json()["error"]["code"] == "host_not_allowed"
        )
        assert client.get("/api/health/live", headers={"host": host}).status_code == 200
        for good in ("localhost:8484", "127.0.0.1", "[::1]:8484", "LOCALHOST"):
            assert client.get("/v1/models", headers={"host": good}).status_code == 200, good
    runtime.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "myhost.lan", ""])
def test_binding_off_loopback_requires_a_key(host):
    server = msgspec.structs.replace(load_settings(environ={}).server, host=host)
    with pytest.raises(ConfigError) as caught:
        check_bind(server, ApiKeys())
    assert "api_keys" in caught.value.hint
    check_bind(server, ApiKeys([API_KEY]))  # with a key it is allowed


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_needs_no_key(host):
    server = msgspec.structs.replace(load_settings(environ={}).server, host=host)
    check_bind(server, ApiKeys())


def test_defaults_are_loopback_no_cors_no_path_ingestion():
    server = load_settings(environ={}).server
    assert server.host == "127.0.0.1"
    assert server.cors_origins == ()
    assert server.allowed_roots == ()
    assert "*" not in server.allowed_hosts
    assert server.max_body_bytes <= 64 * 1024 * 1024


def test_an_app_bound_everywhere_with_a_key_enforces_it(settings, tmp_path):
    runtime, client = serve(settings, tmp_path, host="0.0.0.0", api_keys=(API_KEY,))
    with client:
        assert client.get("/v1/models").status_code == 401
        auth = {"Authorization": f"Bearer {API_KEY}"}
        assert client.get("/v1/models", headers=auth).status_code == 200
        assert (
            client.get("/v1/models", headers={"Authorization": f"Bearer {API_KEY}x"}).status_code
            == 401
        )
        assert client.get("/api/health/ready").status_code == 200  # probes stay open
    runtime.close()


def test_cors_is_off_by_default_and_exact_when_configured(settings, tmp_path):
    preflight = {
        "Origin": "http://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    runtime, client = serve(settings, tmp_path)
    with client:
        response = client.options("/v1/chat/completions", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
        response = client.get("/v1/models", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in response.headers
    runtime.close()
    runtime, client = serve(settings, tmp_path / "2", cors_origins=("http://app.example",))
    with client:
        ok = client.get("/v1/models", headers={"Origin": "http://app.example"})
        assert ok.headers.get("access-control-allow-origin") == "http://app.example"
        evil = client.get("/v1/models", headers={"Origin": "http://evil.example"})
        assert evil.headers.get("access-control-allow-origin") in (None, "http://app.example")
        assert evil.headers.get("access-control-allow-origin") != "http://evil.example"
    runtime.close()


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + (record.exc_text or ""))


def test_logs_at_the_default_level_hold_no_document_text_or_secrets(settings, tmp_path):
    runtime, client = serve(settings, tmp_path, api_keys=(API_KEY,))
    auth = {"Authorization": f"Bearer {API_KEY}"}
    collect = Collect()
    with client:
        # Litestar configures the root logger at start-up (INFO, the default level): listen
        # there afterwards, at whatever level it chose.
        root = logging.getLogger()
        assert root.level <= logging.INFO
        root.addHandler(collect)
        secret = tmp_path / "secret-upload.md"
        secret.write_text(f"# Vault\n\n{SECRET_TEXT}\n")
        upload = client.post(
            "/api/documents",
            files={"file": (secret.name, secret.read_bytes(), "text/markdown")},
            headers=auth,
        )
        assert upload.status_code == 202
        runtime_jobs_wait_auth(client, upload.json()["id"], auth)
        question = {"role": "user", "content": "What is the vault combination ZEBRA?"}
        for stream in (False, True):
            reply = client.post(
                "/v1/chat/completions",
                json={"model": "localchat", "messages": [question], "stream": stream},
                headers=auth,
            )
            assert reply.status_code == 200
        assert (
            client.post("/api/search", json={"query": "ZEBRA vault"}, headers=auth).status_code
            == 200
        )
        assert (
            client.get("/v1/models", headers={"Authorization": "Bearer wrong-key"}).status_code
            == 401
        )
        bad = client.post("/v1/chat/completions", content=b'{"messages": "ZEBRA', headers=auth)
        assert bad.status_code == 400
        root.removeHandler(collect)
    runtime.close()
    assert collect.lines, "nothing was logged at all: the check would be vacuous"
    logged = "\n".join(collect.lines)
    for secret_value in ("ZEBRA", "vault combination", API_KEY, "wrong-key"):
        assert secret_value not in logged, secret_value


def runtime_jobs_wait_auth(client: TestClient, job_id: str, auth: dict) -> dict:
    import time

    deadline = time.monotonic() + 60
    while (job := client.get(f"/api/jobs/{job_id}", headers=auth).json())["finished_at"] is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert job["added"] == 1, job
    return job
