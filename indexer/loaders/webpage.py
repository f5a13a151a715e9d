"""Saved web pages (``.html``/``.htm``), such as a GOV.UK publication page (BeautifulSoup).

Only what a reader of the page reads is kept. The rules:

- bytes are decoded by their byte-order mark, else the declared ``<meta charset>``
  (Latin-1 and ASCII read as Windows-1252, as browsers do), else UTF-8, else
  Windows-1252, the same fallbacks as plain text;
- the main content is ``<main>`` (or ``[role=main]``, ``#main-content``,
  ``<article>``), else ``<body>``; inside it, navigation, site headers and footers,
  asides, scripts, forms, hidden elements and page furniture (cookie banners, skip
  links, breadcrumbs, phase banners, feedback and share widgets) are dropped; an
  article's own ``<header>`` is kept when it holds the ``<h1>``;
- ``h1``–``h6`` are headings; every other block element (``p``, ``li``,
  ``blockquote``, ``dd``, ``dt``, ``div`` …) ends a paragraph, so each list item is
  one, and text loose in a ``div`` is kept; inline tags join without adding
  spaces (``Cheshire <b>PCC</b>`` reads "Cheshire PCC") and ``<br>`` is a space;
- a table is one ``table`` block, a row a line, non-empty cells tab-separated;
- ``<title>`` is not a paragraph; when the content has no ``<h1>`` it is the
  first heading, less a " - GOV.UK" suffix. Entities become text, never markup.
"""

from __future__ import annotations

import codecs
import re
import warnings
from itertools import chain

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.dammit import EncodingDetector
from bs4.element import PreformattedString

from ..errors import LoadError
from ..records import Block

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCK_TAGS = _HEADINGS | set(
    "address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption"
    " figure footer header hgroup hr li main nav ol p pre section summary ul".split()
)
_DROPPED_TAGS = set("nav header footer aside script style noscript template form button svg iframe".split())
_DROPPED_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_FURNITURE = re.compile(r"cookie|skip-?link|breadcrumb|phase-banner|feedback|share-links|print-link|back-to-top")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
_SITE_SUFFIX = re.compile(r"\s+[-–—|]\s+GOV\.UK$")
_BREAK = None  # a block boundary in the stream of text pieces


def read(data: bytes) -> list[Block]:
    markup = _decode(data)
    # The markup is always a file's contents, read as HTML because of its
    # extension: bs4's guesses that it is a file name, a URL or XML are moot.
    # lxml (a python-docx dependency) recovers from broken markup as browsers do.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    main = _main_content(soup)
    for tag in main.find_all(_is_dropped):
        if not tag.decomposed:
            tag.decompose()
    blocks = list(_blocks(main))
    if not blocks:
        raise LoadError("no text found in the web page")
    title = _SITE_SUFFIX.sub("", _collapse(soup.head.title.get_text())) if soup.head and soup.head.title else ""
    if title and not main.find("h1"):
        blocks.insert(0, Block("heading", title))
    return blocks


def _main_content(soup: BeautifulSoup) -> Tag:
    """``<main>``, ``[role=main]``, ``#main-content`` or ``<article>``, else ``<body>``."""
    return (
        soup.find("main")
        or soup.find(attrs={"role": "main"})
        or soup.find(id="main-content")
        or soup.find("article")
        or soup.body
        or soup
    )


def _decode(data: bytes) -> str:
    """Byte-order mark, else declared charset, else UTF-8, else Windows-1252."""
    data, encoding = EncodingDetector.strip_byte_order_mark(data)
    if encoding is None and b"\x00" in data[:8192]:
        raise LoadError("binary file, not a web page (contains NUL bytes)")
    candidates = [encoding] if encoding else [_declared(data), "utf-8", "cp1252"]
    for candidate in filter(None, candidates):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise LoadError("the web page is not UTF-8 or Windows-1252 text; save it again as UTF-8")


def _declared(data: bytes) -> str | None:
    """The ``<meta charset>`` (or XML) declared encoding if Python knows it, browser-style."""
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    try:
        name = codecs.lookup(declared).name if declared else ""
    except LookupError:
        return None
    if name in {"ascii", "iso8859-1"}:
        return "cp1252"
    return None if not name or name.startswith(("utf-16", "utf-32")) else name


def _is_dropped(tag: Tag) -> bool:
    """Page furniture and hidden elements, not content."""
    if tag.name == "header" and tag.find("h1"):
        return False
    names = " ".join([*tag.get("class", []), tag.get("id", "")]).lower()
    return (
        tag.name in _DROPPED_TAGS
        or tag.get("role") in _DROPPED_ROLES
        or tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
        or bool(_HIDDEN_STYLE.search(tag.get("style", "")))
        or bool(_FURNITURE.search(names))
    )


def _blocks(main: Tag):
    """Heading, paragraph and table blocks: text pieces grouped between block boundaries."""
    kind, pieces = "paragraph", []
    for item in chain(_pieces(main, "paragraph"), [_BREAK]):
        if isinstance(item, tuple):
            kind = kind if pieces else item[0]
            pieces.append(item[1])
            continue
        text = _collapse("".join(pieces))
        if text:
            yield Block(kind, text)
        pieces = []
        if item is not _BREAK:
            yield item


def _pieces(element: Tag, kind: str):
    """Yield (kind, text) pieces, _BREAK at block boundaries, and whole table blocks."""
    for child in element.children:
        if isinstance(child, Tag):
            if child.name == "table":
                yield _BREAK
                yield from _table(child)
            elif child.name == "br":
                yield kind, " "
            elif child.name in _BLOCK_TAGS:
                yield _BREAK
                yield from _pieces(child, "heading" if child.name in _HEADINGS else kind)
                yield _BREAK
            else:
                yield from _pieces(child, kind)
        elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
            yield kind, str(child)


def _table(table: Tag):
    """Its caption as a paragraph, then the table block (rows of nested tables excluded)."""
    caption = table.find("caption", recursive=False)
    if caption and _cell_text(caption):
        yield Block("paragraph", _cell_text(caption))
    rows = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue
        cells = [_cell_text(cell) for cell in row.find_all(["td", "th"], recursive=False)]
        if any(cells):
            rows.append("\t".join(cell for cell in cells if cell))
    if rows:
        yield Block("table", "\n".join(rows))


def _cell_text(cell: Tag) -> str:
    """A cell's text on one line: block boundaries and nested tables become spaces."""
    parts = []
    for piece in _pieces(cell, "paragraph"):
        if isinstance(piece, tuple):
            parts.append(piece[1])
        else:
            parts.append(" " if piece is _BREAK else f" {piece.text} ")
    return _collapse("".join(parts))


def _collapse(text: str) -> str:
    return " ".join(text.split())
