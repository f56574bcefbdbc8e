"""PowerPoint files (.pptx) via python-pptx: one page per slide, speaker notes included."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pptx
from pptx.shapes.base import BaseShape
from pptx.shapes.group import GroupShape
from pptx.slide import Slide

from localchat.errors import EmptyDocumentError, FileTooLargeError
from localchat.ingest.loaders.document import LoadedDocument, Page, meaningful_title
from localchat.ingest.loaders.packaged import package_errors
from localchat.ingest.loaders.tables import markdown_table

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_SPACES = re.compile(r"[ \t\u00a0\v]+")


def load_pptx(path: Path, max_pages: int) -> LoadedDocument:
    """Slide n is page n (so citations name the slide); its title is a `## ` heading."""
    with package_errors(path, "PowerPoint (.pptx)"):
        presentation = pptx.Presentation(str(path))
        slides = list(presentation.slides)
        if len(slides) > max_pages:
            raise FileTooLargeError(
                f"{path.name} has {len(slides)} slides, more than the limit of {max_pages}",
                hint="raise ingest.max_pages or split the file",
            )
        pages = [Page(number, _slide_text(slide)) for number, slide in enumerate(slides, 1)]
        title = meaningful_title(presentation.core_properties.title)
    if not any(page.text for page in pages):
        raise EmptyDocumentError(f"{path.name} has no text on any slide", hint="nothing to ingest")
    warnings = [f"slide {page.number} has no text" for page in pages if not page.text]
    title = title or _first_title(slides) or path.stem
    return LoadedDocument(pages=pages, title=title, media_type=MEDIA_TYPE, warnings=warnings)


def _slide_text(slide: Slide) -> str:
    title_shape = slide.shapes.title
    heading = _clean(title_shape.text_frame.text) if title_shape is not None else ""
    heading = heading.replace("\n", " ")  # a heading is one line
    blocks = [f"## {heading}"] if heading else []
    title_id = title_shape.shape_id if title_shape is not None else None
    blocks += [
        text
        for shape in _shapes(slide.shapes)
        if shape.shape_id != title_id and (text := _shape_text(shape))
    ]
    if slide.has_notes_slide:
        notes_frame = slide.notes_slide.notes_text_frame
        notes = _clean(notes_frame.text) if notes_frame is not None else ""
        if notes:
            blocks.append(f"Speaker notes: {notes}")
    return "\n\n".join(blocks)


def _shapes(shapes: Iterable[BaseShape]) -> Iterator[BaseShape]:
    """Shapes in reading order (top to bottom, then left to right), groups opened."""
    ordered = sorted(shapes, key=lambda shape: (shape.top or 0, shape.left or 0))
    for shape in ordered:
        if isinstance(shape, GroupShape):
            yield from _shapes(shape.shapes)
        else:
            yield shape


def _shape_text(shape: BaseShape) -> str:
    if getattr(shape, "has_table", False):
        table = shape.table  # type: ignore[attr-defined]
        return markdown_table([cell.text for cell in row.cells] for row in table.rows)
    if getattr(shape, "has_text_frame", False):
        paragraphs = [_clean(p.text) for p in shape.text_frame.paragraphs]  # type: ignore[attr-defined]
        return "\n".join(text for text in paragraphs if text)
    return ""


def _first_title(slides: list[Slide]) -> str:
    for slide in slides:
        shape = slide.shapes.title
        if shape is not None and (text := _clean(shape.text_frame.text)):
            return text
    return ""


def _clean(text: str) -> str:
    return "\n".join(
        line for line in (_SPACES.sub(" ", part).strip() for part in text.splitlines()) if line
    )
