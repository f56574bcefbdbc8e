"""Running headers and footers of PDFs: found only when provably repeated boilerplate.

A line near a page's top or bottom edge is "running" when, with its numbers masked, it occurs
on more than half of the pages (and at least 3), and each of its numbers is either the same on
every page or the page number (physical number plus one constant offset, for journals and
front matter). Lines whose numbers change in any other way ("Invoice 1001", "Invoice 1002";
"Amount due: 250 EUR" then "975 EUR") are content and stay.

A non-zero offset is accepted only when the line has at least 3 words besides its numbers
("47699 Federal Register / Vol. 85 …"): consecutive IDs on consecutive pages ("Invoice 1001"
on page 1, "Invoice 1002" on page 2) look exactly like an offset page number, and losing them
is worse than keeping a short running line.

Lines that carry a page number are dropped everywhere; lines identical on every page keep their
first occurrence, so a repeated "ACME Corp · Confidential" is still searchable once. Every
dropped line is reported in the document's warnings.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import NamedTuple

from localchat.ingest.loaders.pdflayout import Line

EDGE = 3  # lines at each end of a page where running headers and footers sit
_NUMBER = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_MIN_WORDS_FOR_OFFSET = 3
_PREVIEW = 80
_MIN_PREFIX = 20  # shorter templates are too generic to count longer lines as theirs


class _Occurrence(NamedTuple):
    page: int  # 1-based physical page
    index: int  # the line's position on its page
    numbers: tuple[int, ...]


class _Pattern(NamedTuple):
    """What a running line's numbers are: ("same", value) or ("page", offset) per number."""

    parts: tuple[tuple[str, int], ...]

    def matches(self, occurrence: _Occurrence) -> bool:
        return all(
            number == (value if kind == "same" else occurrence.page + value)
            for number, (kind, value) in zip(occurrence.numbers, self.parts, strict=True)
        )

    @property
    def has_page_number(self) -> bool:
        return any(kind == "page" for kind, _value in self.parts)


def without_running_lines(pages: list[list[Line]]) -> tuple[list[list[Line]], list[str]]:
    """The pages without running headers/footers, and one warning per kind of line dropped."""
    if len(pages) < 3:
        return pages, []
    groups = _edge_lines(pages)
    running = {
        template: pattern
        for template in groups
        if (pattern := _running_pattern(template, _support(template, groups), len(pages)))
        is not None
    }
    dropped: dict[int, set[int]] = defaultdict(set)  # page index → line indexes
    warnings: list[str] = []
    for template, occurrences in groups.items():
        pattern = running.get(template) or _joined_pattern(template, running)
        if pattern is None:
            continue
        matching = sorted(occ for occ in occurrences if pattern.matches(occ))  # the rest differ
        if not pattern.has_page_number:
            first_page = matching[0].page if matching else 0
            matching = [occ for occ in matching if occ.page != first_page]
        if not matching:
            continue
        for occurrence in matching:
            dropped[occurrence.page - 1].add(occurrence.index)
        sample = pages[matching[0].page - 1][matching[0].index].text
        warnings.append(_warning(sample, len({occ.page for occ in matching})))
    kept = [
        [line for index, line in enumerate(lines) if index not in dropped[number]]
        for number, lines in enumerate(pages)
    ]
    if not any(kept_lines for kept_lines in kept):  # never turn text into "empty document"
        return pages, []
    return kept, warnings


def _joined_pattern(template: str, running: dict[str, _Pattern]) -> _Pattern | None:
    """pypdf joins a header and a footer drawn on one baseline into one line: such a line is
    running when it is two running lines back to back."""
    for first, first_pattern in running.items():
        rest = template[len(first) :].lstrip(" ") if template.startswith(first) else None
        if rest and rest in running:
            return _Pattern(first_pattern.parts + running[rest].parts)
    return None


def _edge_lines(pages: list[list[Line]]) -> dict[str, list[_Occurrence]]:
    """Edge lines grouped by their text with numbers masked."""
    groups: dict[str, list[_Occurrence]] = defaultdict(list)
    for page_index, lines in enumerate(pages):
        edge = set(range(min(EDGE, len(lines)))) | set(range(max(0, len(lines) - EDGE), len(lines)))
        for index in sorted(edge):
            text = lines[index].text
            numbers = tuple(int(match) for match in _NUMBER.findall(text))
            groups[_NUMBER.sub("#", text)].append(_Occurrence(page_index + 1, index, numbers))
    return groups


def _support(template: str, groups: dict[str, list[_Occurrence]]) -> list[_Occurrence]:
    """The template's occurrences, plus those of longer lines that start with it (a footer that
    pypdf joined with the next piece on some pages), their numbers cut to the template's."""
    occurrences = list(groups[template])
    if len(template) >= _MIN_PREFIX:
        count = template.count("#")
        for other, found in groups.items():
            if other != template and other.startswith(template):
                occurrences += [occ._replace(numbers=occ.numbers[:count]) for occ in found]
    return occurrences


def _running_pattern(
    template: str, occurrences: list[_Occurrence], page_count: int
) -> _Pattern | None:
    """The number pattern shared by most pages, or None when the line is not running."""
    needed = max(3, page_count // 2 + 1)
    if len({occ.page for occ in occurrences}) < needed:
        return None
    parts = []
    for position in range(len(occurrences[0].numbers)):
        votes: Counter[tuple[str, int]] = Counter()
        for occ in _one_per_page(occurrences):
            votes[("same", occ.numbers[position])] += 1
            votes[("page", occ.numbers[position] - occ.page)] += 1
        (kind, value), _count = votes.most_common(1)[0]
        if kind == "page" and value != 0 and len(_WORD.findall(template)) < _MIN_WORDS_FOR_OFFSET:
            return None
        parts.append((kind, value))
    pattern = _Pattern(tuple(parts))
    pages = {occ.page for occ in occurrences if pattern.matches(occ)}
    return pattern if len(pages) >= needed else None


def _one_per_page(occurrences: list[_Occurrence]) -> list[_Occurrence]:
    """A page's first occurrence only, so a line repeated on one page does not outvote others."""
    seen: dict[int, _Occurrence] = {}
    for occ in occurrences:
        seen.setdefault(occ.page, occ)
    return list(seen.values())


def _warning(sample: str, page_count: int) -> str:
    preview = sample if len(sample) <= _PREVIEW else sample[: _PREVIEW - 1] + "…"
    return f"dropped a running header/footer on {page_count} pages: {preview!r}"
