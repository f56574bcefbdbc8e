"""API keys (settings and a live-reloaded file), the Host allowlist, bind checks, paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from litestar.testing import TestClient

from localchat.errors import ConfigError, InvalidRequestError, PermissionDeniedError
from server.app import create_app
from server.security import ApiKeys, bearer_token, is_loopback, request_host
from server.uploads import check_paths, expand_paths, safe_filename
from tests.server.conftest import BASE_URL, with_server

CHAT = {"model": "localchat", "messages": [{"role": "user", "content": "Boots nut?"}]}


def test_keys_from_settings_are_required_except_for_probes(settings, runtime):
    app = create_app(with_server(settings, api_keys=("s3cret",)), resources=runtime)
    with TestClient(app, base_url=BASE_URL) as client:
        missing = client.get("/v1/models")
        assert missing.status_code == 401
        assert missing.json()["error"]["code"] == "invalid_api_key"
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = client.get("/v1/models", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert "not valid" in wrong.json()["error"]["message"]
        ok = client.get("/v1/models", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert client.get("/metrics").status_code == 401
        assert client.get("/api/health/live").status_code == 200
        assert client.get("/api/health/ready").status_code == 200


def test_a_key_removed_from_the_key_file_stops_working_at_once(settings, runtime, tmp_path):
    key_file = tmp_path / "keys.txt"
    key_file.write_text("# team keys\nalpha\nbeta\n")
    app = create_app(with_server(settings, api_keys_file=str(key_file)), resources=runtime)
    with TestClient(app, base_url=BASE_URL) as client:

        def status(key: str) -> int:
            return client.get("/v1/models", headers={"Authorization": f"Bearer {key}"}).status_code

        assert status("alpha") == 200 and status("beta") == 200
        key_file.write_text("beta\n")
        os.utime(key_file, ns=(1, 1))  # make sure the stamp changes within one clock tick
        assert status("alpha") == 401
        assert status("beta") == 200
        key_file.unlink()
        assert status("beta") == 401, "a vanished key file revokes its keys"


def test_host_header_outside_the_allowlist_is_refused(client):
    response = client.get("/v1/models", headers={"Host": "evil.example:8484"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "host_not_allowed"
    assert client.get("/v1/models", headers={"Host": "localhost:8484"}).status_code == 200
    assert client.get("/v1/models", headers={"Host": "[::1]:8484"}).status_code == 200
    probe = client.get("/api/health/live", headers={"Host": "10.1.2.3:8484"})
    assert probe.status_code == 200, "probes answer whatever the Host (a pod's IP)"


def test_binding_beyond_loopback_needs_a_key(settings):
    with pytest.raises(ConfigError, match="API key"):
        create_app(with_server(settings, host="0.0.0.0"))
    create_app(with_server(settings, host="0.0.0.0", api_keys=("k",)))  # no error


def test_missing_key_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        ApiKeys(key_file=str(tmp_path / "absent"))


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        (b"127.0.0.1:8484", "127.0.0.1"),
        (b"[::1]:8484", "[::1]"),
        (b"LocalHost", "localhost"),
        (b"::1", "::1"),
    ],
)
def test_request_host_strips_the_port(raw, host):
    assert request_host([(b"host", raw)]) == host


def test_loopback_and_bearer_parsing():
    assert is_loopback("127.0.0.1") and is_loopback("[::1]") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2")
    assert bearer_token([(b"authorization", b"Bearer abc")]) == "abc"
    assert bearer_token([(b"authorization", b"Basic abc")]) is None


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\a b.md", "a b.md"),
        ("we$ird\x00name.txt", "we_ird_name.txt"),
        (".hidden.md", "hidden.md"),
    ],
)
def test_upload_names_lose_their_folders(name, safe):
    assert safe_filename(name) == safe


@pytest.mark.parametrize("name", ["", "..", "...", "/", "a/"])
def test_unusable_upload_names_are_refused(name):
    with pytest.raises(InvalidRequestError):
        safe_filename(name)


def test_paths_must_stay_below_allowed_roots(tmp_path: Path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.md").write_text("# A\n\ntext\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# secret\n")
    (root / "sub" / "link.md").symlink_to(outside / "secret.md")
    roots = (str(root),)
    assert check_paths([str(root / "sub")], roots) == [(root / "sub").resolve()]
    for bad in [str(outside), f"{root}/../outside", "relative/path", str(root / "sub" / "link.md")]:
        with pytest.raises(PermissionDeniedError):
            check_paths([bad], roots)
    with pytest.raises(PermissionDeniedError, match="turned off"):
        check_paths([str(root)], ())
    files, refused = expand_paths([root.resolve()], roots)
    assert files == [str((root / "sub" / "a.md").resolve())]
    assert [r.error_code for r in refused] == ["path_not_allowed"]


def test_a_nul_byte_in_a_json_path_is_400(settings, runtime, tmp_path: Path):
    root = tmp_path / "root"
    root.mkdir()
    app = create_app(with_server(settings, allowed_roots=(str(root),)), resources=runtime)
    with TestClient(app, base_url=BASE_URL) as client:
        reply = client.post("/api/documents", json={"paths": [f"{root}/a\x00.md"]})
        assert reply.status_code == 400, reply.text
        assert reply.json()["error"]["param"] == "paths[0]"
        assert "NUL" in reply.json()["error"]["message"]


@pytest.mark.parametrize(
    ("name", "kept"),
    [("a" * 300 + ".pdf", ".pdf"), ("b" * 250 + ".markdown", ".markdown"), ("c" * 201, "c")],
)
def test_long_upload_names_keep_their_extension(name, kept):
    safe = safe_filename(name)
    assert len(safe) <= 200 and safe.endswith(kept)


def test_a_body_without_a_type_or_labelled_a_form_by_a_program_is_json(client):
    reply = client.post("/api/search", content=b'{"query": "nut"}')
    assert reply.status_code == 200
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    # `curl -d '{…}'` labels JSON as a form (Ollama's own examples do this): from a program
    # (no Origin, no Sec-Fetch-*), the body is read as JSON, and form data is no JSON.
    curl = client.post("/api/search", content=b'{"query": "nut"}', headers=form_type)
    assert curl.status_code == 200, curl.text
    form = client.post("/api/search", content=b"query=nut", headers=form_type)
    assert form.status_code == 400 and "JSON is malformed" in form.json()["error"]["message"]
    # A browser marks every request it sends: a form-encoded body from one is refused.
    for browser in ({"sec-fetch-site": "same-origin"}, {"origin": BASE_URL}):
        page = client.post("/api/search", content=b"query=nut", headers=form_type | browser)
        assert page.status_code == 415, browser
        assert page.json()["error"]["code"] == "unsupported_media_type"
    gone = client.delete("/api/documents/999999", headers={"Origin": BASE_URL})
    assert gone.status_code == 404, "same origin passes the guard"
