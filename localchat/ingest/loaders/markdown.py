"""Markdown files: front matter removed (its title kept), headings as `# ` lines, code intact."""

from __future__ import annotations

import html
import re
import tomllib
from pathlib import Path

from localchat.errors import EmptyDocumentError
from localchat.ingest.loaders.document import LoadedDocument, Page
from localchat.ingest.loaders.textfile import decode_text, normalise_text_lines, read_text

_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.DOTALL)
_YAML_TITLE = re.compile(r"^title[ \t]*:[ \t]*(.+?)[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t]*$")
# Pandoc/kramdown heading attributes: `## Title {#anchor}` or `{: #anchor .class}`.
_HEADING_ATTRIBUTES = re.compile(r"[ \t]*\{:?[ \t]*#[^}]*\}[ \t]*$")
_CLOSING_HASHES = re.compile(r"[ \t]+#+$")
_SETEXT_UNDERLINE = re.compile(r"^[ \t]{0,3}(=+|-+)[ \t]*$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# A character reference ("&mdash;", "&lt;", "&#8217;") renders as its character; outside code
# it is decoded so the text reads (and matches questions) as the reader sees it.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_EMPTY_ANCHOR = re.compile(r"<a\s+(?:name|id)=[\"'][^\"']*[\"']\s*>\s*</a>", re.IGNORECASE)


def load_markdown(path: Path, data: bytes | None = None) -> LoadedDocument:
    """A Markdown file (read from `path` in blocks unless its bytes are given)."""
    source = read_text(path) if data is None else decode_text(data, path.name)
    front_matter, body = split_front_matter(source)
    text = clean_markdown(body)
    if not text.strip():
        raise EmptyDocumentError(f"{path.name} has no text besides its front matter")
    title = front_matter_title(front_matter) or first_heading(text) or path.stem
    return LoadedDocument(pages=[Page(1, text)], title=title, media_type="text/markdown")


def split_front_matter(text: str) -> tuple[str, str]:
    """(front matter, rest); the front matter is "" when the text has none."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return "", text
    return match.group(0), text[match.end() :]


def front_matter_title(front_matter: str) -> str:
    if front_matter.startswith("+++"):
        try:
            title = tomllib.loads(front_matter.strip("+\n")).get("title", "")
        except tomllib.TOMLDecodeError:
            title = ""
        return title.strip() if isinstance(title, str) else ""
    match = _YAML_TITLE.search(front_matter)
    return match.group(1).strip("'\" ") if match else ""


def first_heading(text: str) -> str:
    """The first level-1 heading, else the first heading of any level, else ""."""
    headings = re.findall(r"^(#{1,6})[ \t]+(.+)$", text, re.MULTILINE)
    for level, title in headings:
        if level == "#":
            return title.strip()
    return headings[0][1].strip() if headings else ""


def clean_markdown(text: str) -> str:
    """Normalise headings and drop HTML comments and anchors; fenced code stays verbatim."""
    lines: list[str] = []
    prose: list[str] = []  # lines since the last fence, cleaned together
    fence = ""
    for line in text.replace("\r\n", "\n").split("\n"):
        opener = _FENCE.match(line)
        if fence:
            lines.append(line)
            if _closes(opener, line, fence):
                fence = ""
        elif opener:
            lines.extend(_clean_prose(prose))
            prose = []
            fence = opener.group(1)
            lines.append(line)
        else:
            prose.append(line)
    lines.extend(_clean_prose(prose))
    return normalise_text_lines("\n".join(lines))


def _closes(opener: re.Match[str] | None, line: str, fence: str) -> bool:
    """A closing fence: the opening character, at least as many, and nothing after."""
    if opener is None or line.strip() != opener.group(1):
        return False
    return opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence)


def _clean_prose(lines: list[str]) -> list[str]:
    text = _EMPTY_ANCHOR.sub("", _HTML_COMMENT.sub("", "\n".join(lines)))
    cleaned: list[str] = []
    for line in text.split("\n") if lines else []:
        heading = _ATX_HEADING.match(line)
        underline = _SETEXT_UNDERLINE.match(line)
        if heading:
            cleaned.append(decode_entities(_heading_line(len(heading.group(1)), heading.group(2))))
        elif underline and _is_setext_title(cleaned):
            level = 1 if underline.group(1)[0] == "=" else 2
            cleaned[-1] = _heading_line(level, cleaned[-1])
        else:
            cleaned.append(decode_entities(line))
    return cleaned


def decode_entities(line: str) -> str:
    """`line` with its character references decoded, except inside `code spans`."""
    out, start = [], 0
    for span in _CODE_SPAN.finditer(line):
        out.append(_ENTITY.sub(_decoded, line[start : span.start()]))
        out.append(span.group())
        start = span.end()
    out.append(_ENTITY.sub(_decoded, line[start:]))
    return "".join(out)


def _decoded(match: re.Match[str]) -> str:
    return html.unescape(match.group())


def _is_setext_title(previous: list[str]) -> bool:
    """A one-line paragraph right above an underline is a Setext heading."""
    if not previous or not previous[-1].strip() or previous[-1].lstrip().startswith("#"):
        return False
    above = previous[-1].lstrip()
    if above.startswith(("- ", "* ", "+ ", ">", "|")):
        return False
    return len(previous) == 1 or not previous[-2].strip()


def _heading_line(level: int, title: str) -> str:
    title = _CLOSING_HASHES.sub("", _HEADING_ATTRIBUTES.sub("", title.strip())).strip()
    return f"{'#' * level} {title}" if title else ""
