"""Real PDFs written with reportlab for loader tests: text pages, tables and scanned images."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

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


def statistics_rows(seed: int, regions: int = 18, years: int = 20) -> list[list[str]]:
    """A header and one row per region of mixed numbers ("19,773", "596"), as cell strings."""
    rng = random.Random(seed)
    header = ["Region", *(str(2000 + year) for year in range(years))]
    rows = [
        [f"Region {chr(65 + index)}"]
        + [
            f"{rng.randint(1000, 99999):,}" if rng.random() < 0.5 else str(rng.randint(0, 999))
            for _ in range(years)
        ]
        for index in range(regions)
    ]
    return [header, *rows]


def table_pdf(path: Path, rows: list[list[str]], *, grid: bool, caption: str = "") -> Path:
    """A landscape page with a dense 6.5 pt table (ruled or not), under an optional caption."""
    styles = [("FONTSIZE", (0, 0), (-1, -1), 6.5), ("ALIGN", (1, 0), (-1, -1), "RIGHT")]
    if grid:
        styles.append(("GRID", (0, 0), (-1, -1), 0.25, colors.grey))
    table = Table(rows)
    table.setStyle(TableStyle(styles))
    story = [Paragraph(caption, getSampleStyleSheet()["BodyText"])] if caption else []
    document = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=20, rightMargin=20)
    document.build([*story, table])
    return path
