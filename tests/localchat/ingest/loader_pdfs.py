"""Real PDFs written with reportlab for loader tests: text pages, tables and scanned images."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

TOP = A4[1] - 60


def text_pdf(
    path: Path,
    pages: Sequence[Sequence[str | tuple[str, float]]],
    *,
    title: str | None = None,
) -> Path:
    """One PDF page per entry; each line is text (11 pt) or (text, font size), top to bottom."""
    canvas = Canvas(str(path), pagesize=A4)
    if title is not None:
        canvas.setTitle(title)
    for lines in pages:
        y = TOP
        for entry in lines:
            text, size = (entry, 11.0) if isinstance(entry, str) else entry
            canvas.setFont("Helvetica-Bold" if size > 11 else "Helvetica", size)
            canvas.drawString(72, y, text)
            y -= size * 1.6
        canvas.showPage()
    canvas.save()
    return path


def footer_pdf(
    path: Path, bodies: Sequence[Sequence[str]], header: str, footer: str, *, offset: int = 0
) -> Path:
    """Pages with a running header at the top and a footer (with `{page}`/`{pages}`; printed
    page numbers are the physical ones plus `offset`) at the bottom, the body in between."""
    canvas = Canvas(str(path), pagesize=A4)
    for number, lines in enumerate(bodies, 1):
        canvas.setFont("Helvetica", 9)
        canvas.drawString(72, A4[1] - 40, header)
        canvas.setFont("Helvetica", 11)
        y = TOP - 20
        for text in lines:
            canvas.drawString(72, y, text)
            y -= 18
        canvas.setFont("Helvetica", 9)
        canvas.drawString(72, 40, footer.format(page=number + offset, pages=len(bodies)))
        canvas.showPage()
    canvas.save()
    return path
