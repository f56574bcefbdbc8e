"""/api/documents and /api/jobs: upload, server paths under roots, list, get, delete."""

from __future__ import annotations

import time
from pathlib import Path

import msgspec
from litestar.testing import TestClient

from server.app import create_app
from tests.server.conftest import BASE_URL, with_server


def wait_job(client, job_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["finished_at"] is not None:
            return job
        time.sleep(0.02)
    raise TimeoutError(job_id)


def test_upload_ingests_and_the_document_can_be_listed_read_and_deleted(client, settings):
    text = b"# Torque\n\nCastellated nuts take a cotter pin through the bolt.\n"
    response = client.post("/api/documents", files={"file": ("torque.md", text, "text/markdown")})
    assert response.status_code == 202
    job = wait_job(client, response.json()["id"])
    assert job["status"] == "done" and job["added"] == 1 and job["errors"] == []
    assert job["progress"] == 1.0 and job["files_done"] == job["files_total"] == 1
    (document_id,) = job["document_ids"]
    listed = client.get("/api/documents").json()
    assert "torque.md" in [d["filename"] for d in listed["data"]]
    one = client.get(f"/api/documents/{document_id}").json()
    # Stored by content: uploads/<hash>/torque.md, so a different torque.md cannot overwrite it.
    saved = Path(one["path"])
    assert saved.name == "torque.md" and saved.parent.parent == settings.data_path / "uploads"
    assert saved.read_bytes() == text
    assert one["filename"] == "torque.md" and one["chunk_count"] >= 1
    hits = client.post("/api/search", json={"query": "cotter pin"}).json()["hits"]
    assert hits[0]["document_id"] == document_id
    deleted = client.delete(f"/api/documents/{document_id}")
    assert deleted.status_code == 200 and deleted.json()["chunks_removed"] == one["chunk_count"]
    assert not saved.exists(), "the uploaded copy goes with its document"
    assert client.get(f"/api/documents/{document_id}").status_code == 404
    hits = client.post("/api/search", json={"query": "cotter pin"}).json()["hits"]
    assert document_id not in {h["document_id"] for h in hits}


def test_several_files_in_one_upload_and_a_bad_one_is_reported(client, settings):
    files = [
        ("file", ("a.md", b"# A\n\nalpha text\n", "text/markdown")),
        ("file", ("b.exe", b"MZ\x00\x00", "application/octet-stream")),
    ]
    job = wait_job(client, client.post("/api/documents", files=files).json()["id"])
    assert job["status"] == "done" and job["added"] == 1 and job["failed"] == 1
    assert job["errors"][0]["code"] == "unsupported_file"
    kept = list((settings.data_path / "uploads").rglob("b.exe"))
    assert kept == [], "refused files are not kept"


def test_upload_without_a_file_is_400(client):
    response = client.post(
        "/api/documents",
        data={"note": "no file"},
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 400


def test_json_paths_need_allowed_roots(client, docs):
    response = client.post("/api/documents", json={"paths": [str(docs[0])]})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "path_not_allowed"


def test_json_paths_below_a_root_are_ingested(settings, runtime, tmp_path: Path):
    root = tmp_path / "library"
    root.mkdir()
    (root / "rivets.md").write_text("# Rivets\n\nSolid shank rivets join aircraft skins.\n")
    app = create_app(with_server(settings, allowed_roots=(str(root),)), resources=runtime)
    with TestClient(app, base_url=BASE_URL) as client:
        response = client.post("/api/documents", json={"paths": [str(root)]})
        assert response.status_code == 202
        job = wait_job(client, response.json()["id"])
        assert job["added"] == 1, job
        outside = client.post("/api/documents", json={"paths": [str(tmp_path)]})
        assert outside.status_code == 403
        assert outside.json()["error"]["param"] == "paths[0]"
        dotted = client.post("/api/documents", json={"paths": [f"{root}/../library"]})
        assert dotted.status_code == 403
        bad = client.post("/api/documents", json={"paths": "not a list"})
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "paths"


def test_upload_over_the_file_limit_is_413(settings, runtime):
    small = msgspec.structs.replace(
        settings, ingest=msgspec.structs.replace(settings.ingest, max_file_bytes=100)
    )
    app = create_app(small, resources=runtime)
    with TestClient(app, base_url=BASE_URL) as client:
        response = client.post("/api/documents", files={"file": ("big.txt", b"z" * 500)})
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "file_too_large"
        assert list((settings.data_path / "uploads").rglob("big.txt")) == []


def test_jobs_are_listed_newest_first(client):
    first = client.post("/api/documents", files={"file": ("one.md", b"# one\n\nfirst\n")}).json()
    second = client.post("/api/documents", files={"file": ("two.md", b"# two\n\nsecond\n")}).json()
    wait_job(client, second["id"])
    ids = [job["id"] for job in client.get("/api/jobs").json()]
    assert ids.index(second["id"]) < ids.index(first["id"])


def test_a_folder_walk_reports_skipped_files_in_the_job(settings, runtime, tmp_path: Path):
    root = tmp_path / "library"
    (root / "licenses").mkdir(parents=True)
    (root / "licenses" / "MIT.LICENSE").write_text("Permission is hereby granted\n")
    (root / "rivets.md").write_text("# Rivets\n\nSolid shank rivets join aircraft skins.\n")
    app = create_app(with_server(settings, allowed_roots=(str(root),)), resources=runtime)
    with TestClient(app, base_url=BASE_URL) as client:
        job = wait_job(
            client, client.post("/api/documents", json={"paths": [str(root)]}).json()["id"]
        )
        assert job["added"] == 1 and job["failed"] == 0 and job["errors"] == [], job
        (skip,) = job["skipped"]
        assert skip["path"].endswith("MIT.LICENSE") and skip["code"] == "unsupported_file"
        assert skip["message"] == "skipped: unsupported type .LICENSE"
        listed = client.get("/api/jobs").json()[0]
        assert listed["skipped"] == job["skipped"]
