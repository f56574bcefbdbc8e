"""Rebuild paragraphs from pypdf's text pieces, using where on the page each piece was drawn.

pypdf's plain extraction follows the content stream, which in real documents is reading order
(column after column), but it ends every visual line with a newline and marks no paragraphs.
Its layout mode keeps paragraph gaps but prints columns side by side, interleaving them. So we
keep the plain order and decide, between each pair of lines, from the baselines and fonts:
same baseline → one line; a gap clearly taller than the usual line spacing, an indented first
line, a change of font on a short line or a larger (heading) font → new paragraph; otherwise
the lines join, and a word hyphenated at the line end is mended.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from pypdf import PageObject

_BULLET = re.compile(r"^\s*(?:[•◦▪‣∙·\-–*]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s")
_HYPHENATED = re.compile(r"(\w+)-$")
# Line ends that continue the same token on the next line: dashes in numbers ("737–8"),
# URLs and e-mail addresses broken after "/" or "@".
_GLUED_END = re.compile(r"\S[–—/@]$")
_COMPOUND = re.compile(r"\b\w+-\w+\b")
_SPACES = re.compile(r"[ \t\u00a0]+")
_LIGATURES = re.compile("[\ufb00-\ufb06]")
_TERMINAL = (".", "!", "?", ":", ";")
# TeX-made PDFs often draw accents as spacing marks after the letter ("Aviac¸a˜o").
_SPACING_ACCENTS = {"ˆ": "\u0302", "˜": "\u0303", "¸": "\u0327", "ˇ": "\u030c", "˚": "\u030a"}
_LETTER_THEN_ACCENT = re.compile("([A-Za-z])([ˆ˜¸ˇ˚])")


@dataclass
class Line:
    """One visual line: its text and where (baseline x, y) and how big it was drawn."""

    text: str = ""
    x: float = 0.0
    y: float = 0.0
    size: float = 0.0
    fonts: Counter[str] = field(default_factory=Counter)
    placed: bool = False  # received a visible piece (pieces of pure whitespace carry no place)
    cells: list[str] | None = None  # a table row's cells (see pdftables), else None
    header: bool = False  # the first row of its table

    @property
    def font(self) -> str:
        return self.fonts.most_common(1)[0][0] if self.fonts else ""


class LineCollector:
    """A `visitor_text` callback for `PageObject.extract_text` that records placed lines."""

    def __init__(self) -> None:
        self.lines: list[Line] = [Line()]

    def __call__(
        self, text: str, cm: list[float], tm: list[float], font: object, size: float
    ) -> None:
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
        font_name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
        for index, piece in enumerate(text.split("\n")):
            if index:
                self.lines.append(Line())
            self._add(self.lines[-1], piece, x, y, abs(size * scale), font_name)

    @staticmethod
    def _add(line: Line, piece: str, x: float, y: float, size: float, font: str) -> None:
        line.text += piece
        if not piece.strip():
            return
        if not line.placed:
            line.x, line.y, line.placed = x, y, True
        line.size = max(line.size, size)
        line.fonts[font] += len(piece.strip())


def read_lines(page: PageObject) -> list[Line]:
    """The page's visible lines in content-stream order, same-baseline pieces merged."""
    collector = LineCollector()
    page.extract_text(visitor_text=collector)
    placed = [line for line in collector.lines if line.placed and line.text.strip()]
    lines = _merge_same_baseline(placed)
    for line in lines:
        line.text = clean_text(line.text)
    return [line for line in lines if line.text]


def body_size(pages: list[list[Line]]) -> float:
    """The font size most of the document's characters are set in."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def page_text(lines: list[Line], body: float) -> str:
    """Paragraphs separated by blank lines, headings as `#`/`##` lines, whitespace normalised."""
    if not lines:
        return ""
    layout = _PageLayout.measure(lines, body)
    compounds = {word.lower() for line in lines for word in _COMPOUND.findall(line.text)}
    parts = [layout.rendered(lines[0])]
    for above, below in itertools.pairwise(lines):
        separator = layout.separator(above, below)
        if separator == "":
            parts[-1] = _mend_hyphen(parts[-1], below.text, compounds)
        else:
            parts.append(separator)
            parts.append(layout.rendered(below))
    return "".join(parts).strip()


def _merge_same_baseline(lines: list[Line]) -> list[Line]:
    """pypdf sometimes breaks a line where the text only moved right (drop caps, spacing)."""
    merged: list[Line] = []
    for line in lines:
        previous = merged[-1] if merged else None
        same_baseline = previous is not None and abs(previous.y - line.y) < 0.3 * max(
            previous.size, line.size, 1.0
        )
        if previous is not None and same_baseline and line.x > previous.x:
            drop_cap = len(previous.text.strip()) == 1 and previous.text.strip().isupper()
            previous.text = previous.text.rstrip() + ("" if drop_cap else " ") + line.text.lstrip()
            previous.fonts.update(line.fonts)
            previous.size = max(previous.size, line.size)
        else:
            merged.append(line)
    return merged


@dataclass
class _PageLayout:
    body_size: float
    spacing: float  # usual baseline distance divided by font size
    line_length: float
    headings: bool  # off when "headings" would be a large part of the page (odd sizes)

    @classmethod
    def measure(cls, lines: list[Line], body: float) -> _PageLayout:
        ratios = [
            ratio
            for above, below in itertools.pairwise(lines)
            if 0.5 < (ratio := _gap_ratio(above, below)) < 3
        ]
        layout = cls(
            body_size=body or 10.0,
            spacing=statistics.median(ratios) if ratios else 1.2,
            line_length=statistics.median(len(line.text) for line in lines),
            headings=True,
        )
        heading_count = sum(1 for line in lines if layout.heading_level(line))
        layout.headings = heading_count <= max(2, len(lines) // 5)
        return layout

    def heading_level(self, line: Line) -> int:
        """1 or 2 for a short line set clearly larger than the body text, else 0."""
        letters = sum(char.isalpha() for char in line.text)
        if not self.headings or letters < 2 or len(line.text) > 80:
            return 0
        if line.text.endswith((".", ",", ";")) or line.size < 1.08 * self.body_size:
            return 0
        return 1 if line.size >= 1.4 * self.body_size else 2

    def rendered(self, line: Line) -> str:
        if line.cells is not None:
            row = "| " + " | ".join(line.cells) + " |"
            return row + "\n|" + " --- |" * len(line.cells) if line.header else row
        level = self.heading_level(line)
        return f"{'#' * level} {line.text}" if level else line.text

    def separator(self, above: Line, below: Line) -> str:
        """ "\\n\\n" for a new paragraph, "\\n" for a new list item, "" to join the lines."""
        if above.cells is not None or below.cells is not None:  # rows stay rows
            same_table = above.cells is not None and below.cells is not None and not below.header
            return "\n" if same_table else "\n\n"
        if self.heading_level(above) or self.heading_level(below):
            return "\n\n"
        if _BULLET.match(below.text):
            return "\n"
        if _HYPHENATED.search(above.text) or _GLUED_END.search(above.text):
            return ""
        gap = _gap_ratio(above, below)
        short = len(above.text) < 0.7 * self.line_length
        ends_sentence = above.text.endswith(_TERMINAL)
        if gap < 0 or gap > 4 * self.spacing:  # next column or a distant block
            return "\n\n" if ends_sentence or short else ""
        if gap > 1.3 * self.spacing:
            return "\n\n"
        if short and (ends_sentence or above.font != below.font):
            return "\n\n"
        below_short = len(below.text) < 0.7 * self.line_length
        if ends_sentence and below_short and above.font != below.font:  # a run-in heading
            return "\n\n"
        indent = below.x - above.x
        if 0.8 * below.size < indent < 8 * below.size and not _BULLET.match(above.text):
            return "\n\n"
        return ""


def _gap_ratio(above: Line, below: Line) -> float:
    """Baseline distance in units of the larger font size (negative: the text moved up)."""
    return (above.y - below.y) / max(above.size, below.size, 1.0)


def _mend_hyphen(text: str, following: str, compounds: set[str]) -> str:
    """Join two lines of a paragraph, undoing hyphenation unless the compound is real."""
    match = _HYPHENATED.search(text)
    if match is None:
        return text + ("" if _GLUED_END.search(text) else " ") + following
    first_word = re.sub(r"\W+$", "", following.split(" ", 1)[0])
    if following[:1].islower() and f"{match.group(1)}-{first_word}".lower() not in compounds:
        return text[: match.end(1)] + following
    return text + following


def clean_text(text: str) -> str:
    """One line's text with ligatures split, soft hyphens dropped, accents composed."""
    text = _LIGATURES.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)
    text = text.replace("\u00ad", "").replace("\x00", "")
    if _LETTER_THEN_ACCENT.search(text):
        text = unicodedata.normalize(
            "NFC",
            _LETTER_THEN_ACCENT.sub(lambda m: m.group(1) + _SPACING_ACCENTS[m.group(2)], text),
        )
    return _SPACES.sub(" ", text).strip()
