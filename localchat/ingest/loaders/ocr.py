"""OCR of PDF pages without a text layer, when the optional `localchat[ocr]` extra is installed.

The engine is RapidOCR (PaddleOCR's models on onnxruntime): the `rapidocr-onnxruntime` wheel
holds its three ONNX models (detection, direction, recognition; ~16 MB), so nothing is
downloaded at run time. It is imported only when a page needs it, inside the parser worker.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from typing import Any, Protocol

from pypdf import PageObject

ENGINE_MODULE = "rapidocr_onnxruntime"
EXTRA_HINT = "install the OCR extra (pip install 'localchat[ocr]') to read scanned pages"
_MIN_CONFIDENCE = 0.5  # recognitions below this are mostly noise on photos and stamps
_MIN_SIDE = 32  # icons and rules are not scans
# onnxruntime 1.32 segfaults when it is imported after usearch's compiled module (the reverse
# order works). The parser worker never loads usearch; a process that has (in-process parsing
# of trusted input) skips OCR rather than crash.
_CONFLICTING_MODULE = "usearch.compiled"


class OcrUnavailable(RuntimeError):
    """OCR cannot run in this process (see _CONFLICTING_MODULE)."""


class PageReader(Protocol):
    """Text of a page that has no text layer ("" when none can be had)."""

    def __call__(self, page: PageObject) -> str: ...


def ocr_installed() -> bool:
    return importlib.util.find_spec(ENGINE_MODULE) is not None


def has_images(page: PageObject) -> bool:
    try:
        return bool(page.images)
    except Exception:  # a damaged image dictionary is not worth failing the page for
        return False


class RapidOcrReader:
    """Recognises the text of a page's images, lines top to bottom; one engine per document."""

    def __init__(self) -> None:
        self._engine: Any = None

    def __call__(self, page: PageObject) -> str:
        texts = []
        for image in page.images:
            picture = _as_rgb(image)
            if picture is None:
                continue
            texts.append(self._recognise(picture))
        return "\n\n".join(text for text in texts if text)

    def _recognise(self, picture: Any) -> str:
        if self._engine is None and _CONFLICTING_MODULE in sys.modules:
            raise OcrUnavailable("OCR runs only in the parser worker process")
        if self._engine is None:
            from rapidocr_onnxruntime import RapidOCR  # optional; see ocr_installed()

            self._engine = RapidOCR()
        result, _elapsed = self._engine(picture)
        boxes = [
            (box[0][1], box[0][0], text)
            for box, text, confidence in result or []
            if float(confidence) >= _MIN_CONFIDENCE and text.strip()
        ]
        return "\n".join(text.strip() for _top, _left, text in sorted(boxes))


def _as_rgb(image: Any) -> Any:
    """The embedded image as an RGB PIL image, or None when it is too small or unreadable."""
    try:
        from PIL import Image

        picture = image.image if image.image is not None else Image.open(io.BytesIO(image.data))
    except Exception:
        return None
    if min(picture.size) < _MIN_SIDE:
        return None
    return picture.convert("RGB")
