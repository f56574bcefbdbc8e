"""HTML files (selectolax/lexbor): readable text with `# ` headings and fenced <pre> blocks."""

from __future__ import annotations

import json
import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from localchat.errors import EmptyDocumentError
from localchat.ingest.loaders.document import LoadedDocument, Page
from localchat.ingest.loaders.textfile import decode_text

# Page furniture and non-content; <head> is read for the title only.
_DROPPED = frozenset(
    {"head", "script", "style", "nav", "noscript", "form", "template"}
    | {"svg", "iframe", "button", "select", "textarea", "input", "object", "embed", "canvas"}
)
# A <header>/<footer> is the page's banner or footer, except inside <main> or <article>, where
# it is that content's own (Wikipedia's article title <h1> sits in such a header).
_PAGE_FURNITURE = frozenset({"header", "footer"})
_CONTENT_ROOTS = frozenset({"main", "article"})
# Site chrome marked by role, id or class in saved pages (MediaWiki's skins above all): skip
# links, menus, tables of contents, edit links, navboxes, "Retrieved from", category lists.
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "toolbar"})
_CHROME_IDS = frozenset(
    {"siteSub", "contentSub", "catlinks", "mw-navigation", "mw-panel", "mw-head", "toc"}
    | {"footer", "jump-to-nav", "p-lang-btn", "mw-indicators"}
)
_CHROME_CLASSES = frozenset(
    {"mw-jump-link", "mw-editsection", "navbox", "navbox-styles", "printfooter", "catlinks"}
    | {"vector-toc", "vector-page-toolbar", "vector-dropdown", "mw-portlet", "vector-settings"}
    | {"vector-header-container", "vector-column-start", "mw-footer-container", "toc"}
    | {"noprint", "mw-cite-backlink", "skip-link", "visually-hidden", "sr-only"}
    # Reference markers ("[1]") would read like the answer's own citation markers.
    | {"reference"}
)
_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "center", "details", "dialog"}
    | {"div", "dl", "dt", "dd", "fieldset", "figcaption", "figure", "hr", "li", "main", "ol"}
    | {"p", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "ul"}
)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_LIST_LIKE = frozenset({"li", "tr", "dt", "dd"})  # consecutive items share one paragraph
_SPACES = re.compile(r"\s+")
_TITLE_SEPARATORS = frozenset("-|—–:·")
_LEADING_JSON_COMMENT = re.compile(r"\A\s*<!--\s*(\{.*?\})\s*-->", re.DOTALL)


def load_html(path: Path, data: bytes) -> LoadedDocument:
    source = decode_text(data, path.name)
    tree = LexborHTMLParser(source)
    text = html_to_text(tree)
    if not text.strip():
        raise EmptyDocumentError(f"{path.name} has no visible text", hint="nothing to ingest")
    title = _title(tree, source, text) or path.stem
    return LoadedDocument(pages=[Page(1, text)], title=title, media_type="text/html")


def html_to_text(tree: LexborHTMLParser) -> str:
    root = tree.body or tree.root
    return _TextBuilder().build(root) if root is not None else ""


class _TextBuilder:
    """Walks the DOM once, collecting paragraphs; an explicit stack survives deep nesting."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str]] = []  # (kind, text)
        self.inline: list[str] = []
        self.item_kind = ""  # tag of the list-like element the inline text belongs to

    def build(self, root: LexborNode) -> str:
        stack: list[tuple[LexborNode, bool]] = [(root, True)]
        while stack:
            node, entering = stack.pop()
            tag = node.tag or ""
            if not entering:
                self._leave(tag)
            elif tag == "-text":
                # Source newlines are just spaces in HTML; only <br> breaks a line.
                self.inline.append(_SPACES.sub(" ", node.text(deep=False) or ""))
            elif tag == "br":
                self.inline.append("\n")
            elif tag in _DROPPED or tag.startswith(("_", "!")) or _chrome(node, tag):
                continue
            elif tag == "pre":
                self._flush()
                self._add("pre", _fenced(node.text(deep=True) or ""))
            elif tag in ("td", "th") and self.inline:
                self.inline.append(" | ")
                self._push_children(stack, node)
            else:
                self._enter(tag)
                self._push_children(stack, node)
        self._flush()
        return self._joined()

    @staticmethod
    def _push_children(stack: list[tuple[LexborNode, bool]], node: LexborNode) -> None:
        stack.append((node, False))
        stack.extend((child, True) for child in reversed(list(node.iter(include_text=True))))

    def _enter(self, tag: str) -> None:
        if tag in _BLOCKS or tag in _HEADINGS:
            self._flush()
            if tag in _LIST_LIKE:
                self.item_kind = tag

    def _leave(self, tag: str) -> None:
        if tag in _HEADINGS:
            title = _SPACES.sub(" ", "".join(self.inline)).strip()
            self.inline = []
            if title:
                self._add("heading", f"{'#' * _HEADINGS[tag]} {title}")
        elif tag in _BLOCKS:
            self._flush()
            if tag in _LIST_LIKE:
                self.item_kind = ""  # an item without text must not mark the next paragraph

    def _flush(self) -> None:
        lines = (_SPACES.sub(" ", line).strip() for line in "".join(self.inline).split("\n"))
        text = "\n".join(line for line in lines if line)
        self.inline = []
        if text:
            prefix = "- " if self.item_kind == "li" else ""
            self._add(self.item_kind or "p", prefix + text)
            self.item_kind = ""  # only an item's first paragraph gets the bullet

    def _add(self, kind: str, text: str) -> None:
        self.blocks.append((kind, text))

    def _joined(self) -> str:
        parts: list[str] = []
        previous_kind = ""
        for kind, text in self.blocks:
            if parts:
                same_list = kind in _LIST_LIKE and previous_kind in _LIST_LIKE
                parts.append("\n" if same_list else "\n\n")
            parts.append(text)
            previous_kind = kind
        return "".join(parts)


def _chrome(node: LexborNode, tag: str) -> bool:
    """Hidden elements, page banners and footers, and site chrome (see _CHROME_*)."""
    if tag in _PAGE_FURNITURE and not _inside_content(node):
        return True
    attributes = node.attributes
    if not attributes:
        return False
    if "hidden" in attributes or attributes.get("aria-hidden") == "true":
        return True
    if attributes.get("role") in _CHROME_ROLES or attributes.get("id") in _CHROME_IDS:
        return True
    if not _CHROME_CLASSES.isdisjoint((attributes.get("class") or "").split()):
        return True
    return "display:none" in (attributes.get("style") or "").replace(" ", "").lower()


def _inside_content(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in _CONTENT_ROOTS:
            return True
        parent = parent.parent
    return False


def _without_site_name(title: str, tree: LexborHTMLParser) -> str:
    """ "Tide pool - Wikipedia" → "Tide pool", when the page's <h1> says so."""
    heading = tree.css_first("h1")
    name = _SPACES.sub(" ", heading.text() or "").strip() if heading is not None else ""
    rest = title[len(name) :].strip() if name and title.startswith(name) else ""
    return name if rest[:1] in _TITLE_SEPARATORS and rest[1:].strip() else title


def _fenced(code: str) -> str:
    code = code.strip("\n").rstrip()
    fence = "````" if "```" in code else "```"
    return f"{fence}\n{code}\n{fence}"


def _title(tree: LexborHTMLParser, source: str, text: str) -> str:
    node = tree.css_first("title")
    if node is not None and (title := _SPACES.sub(" ", node.text() or "").strip()):
        return _without_site_name(title, tree)
    # Static-site fragments (e.g. golang.org's) carry metadata in a leading JSON comment.
    match = _LEADING_JSON_COMMENT.match(source)
    if match:
        try:
            metadata = json.loads(match.group(1))
        except ValueError:
            metadata = {}
        title = metadata.get("Title") or metadata.get("title") if isinstance(metadata, dict) else ""
        if isinstance(title, str) and title.strip():
            return title.strip()
    heading = re.search(r"^#{1,6} (.+)$", text, re.MULTILINE)
    return heading.group(1) if heading else ""
