"""Builders for hostile input files: hand-written PDFs with lying page trees and deep nesting."""

from __future__ import annotations

from pathlib import Path

TEXT_STREAM = b"BT /F1 12 Tf 72 720 Td (Hostile but readable text.) Tj ET"


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF whose object n (1-based) is objects[n-1], with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _page(parent: int, contents: int, extra: bytes = b"") -> bytes:
    return (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> "
        b">> >> %s >>" % (parent, contents, extra)
    )


def lying_page_count_pdf(claimed: int) -> bytes:
    """One real page in a page tree that claims `claimed` pages."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % claimed,
            _page(2, 4),
            _stream(TEXT_STREAM),
        ]
    )


def page_tree_loop_pdf() -> bytes:
    """A /Pages node that lists itself among its kids (an infinite tree)."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            _page(2, 4),
            _stream(TEXT_STREAM),
        ]
    )


def deeply_nested_pdf(depth: int) -> bytes:
    """A page whose resources hold an array nested `depth` levels deep."""
    nested = b"[" * depth + b"1" + b"]" * depth
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            _page(2, 4, b"/Deep " + nested),
            _stream(TEXT_STREAM),
        ]
    )


def content_stream_bomb_pdf(operators: int) -> bytes:
    """A page whose content stream is `operators` no-op text operators (slow to interpret)."""
    body = b"BT /F1 12 Tf 72 720 Td " + b"(x) Tj " * operators + b"ET"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            _page(2, 4),
            _stream(body),
        ]
    )


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
