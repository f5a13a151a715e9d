"""Word ``.docx`` files: body paragraphs and tables in reading order (python-docx).

Responses are often written in Word, and Word marks structure in ways the text
rules in ``paragraphs`` cannot see. The rules:

- every body paragraph and table is read in body order; headers and footers
  (letterhead logos, page numbers, "OFFICIAL") are not: they repeat on every page;
- a paragraph styled "Heading 1".."Heading 9", "Title" or "Subtitle" (or a style
  based on one) is a heading; so is a short line (at most 12 words, no final
  punctuation) that is wholly bold, because office users fake headings with bold;
- a list item (a "List …" style, or numbering) is a paragraph of its own, never
  a heading: in responses each item is a separate commitment that is cited alone;
- a table is one ``table`` block, a row a line, cells tab-separated: the shape
  ``metadata.table_fields`` reads. A cell merged across columns is read once; a
  cell merged down rows is repeated in each row, so every row keeps its label;
- short unpunctuated lines after the last real paragraph (name, role, date)
  are the signature: one ``meta`` block, shown but not searched.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import docx
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from lxml import etree

from ..errors import LoadError
from ..records import Block

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_HEADING_STYLE = re.compile(r"^(heading [1-9]|title|subtitle)$")
_UNREADABLE = "not a readable Word .docx file (%s); open it in Word and save it again"
_SENTENCE_END = (".", "?", "!", ";")
_TERMINAL = (*_SENTENCE_END, ",")


def read(data: bytes) -> list[Block]:
    if data.startswith(_OLE_MAGIC):
        raise LoadError("encrypted or old-format Word file — save it as an unprotected .docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except ValueError:  # python-docx: a package whose main part is not a Word document
        raise LoadError(_UNREADABLE % "a zip package, but not a Word document") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, etree.XMLSyntaxError) as exc:
        raise LoadError(_UNREADABLE % (exc.args[0] if exc.args else type(exc).__name__)) from None
    items = []
    for item in document.iter_inner_content():
        block = _table(item) if isinstance(item, Table) else _paragraph(item)
        if block is not None:
            items.append(block)
    if not items:
        raise LoadError("no text found in the Word document")
    return _with_signature(items)


def _paragraph(paragraph) -> tuple[str, str, bool] | None:
    """(kind, text, is a list item) of a body paragraph, or None if it is empty."""
    text = " ".join(paragraph.text.split())
    if not text:
        return None
    styles = [(style.name or "").lower() for style in _chain(paragraph.style)]
    # python-docx has no public API for numbering, so look for w:numPr directly.
    numbered = bool(paragraph._p.xpath("./w:pPr/w:numPr"))
    listed = numbered or any(name.startswith("list") for name in styles)
    if any(_HEADING_STYLE.match(name) for name in styles) or (not listed and _fake_heading(paragraph, text)):
        return "heading", text.rstrip(":").strip() or text, listed
    return "paragraph", text, listed


def _fake_heading(paragraph, text: str) -> bool:
    """A short unpunctuated line whose every run of text is bold."""
    runs = [
        run
        for item in paragraph.iter_inner_content()
        for run in (item.runs if isinstance(item, Hyperlink) else [item])
        if run.text.strip()
    ]
    short = len(text.split()) <= 12 and not text.endswith(_TERMINAL)
    return short and bool(runs) and all(_bold(run, paragraph) for run in runs)


def _bold(run, paragraph) -> bool:
    """Bold set on the run, else on its character style, else on the paragraph style."""
    styles = [*_chain(run.style), *_chain(paragraph.style)]
    for value in (run.bold, *(style.font.bold for style in styles)):
        if value is not None:
            return value
    return False


def _chain(style):
    """A style and the styles it is based on."""
    while style is not None:
        yield style
        style = style.base_style


def _table(table) -> tuple[str, str, bool] | None:
    """Rows joined by newlines, non-empty cells by tabs; a horizontally merged cell once."""
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if cell is not previous:
                cells.append(" ".join(cell.text.split()))
            previous = cell
        cells = [cell for cell in cells if cell]
        if cells:
            rows.append("\t".join(cells))
    return ("table", "\n".join(rows), False) if rows else None


def _with_signature(items: list[tuple[str, str, bool]]) -> list[Block]:
    """Blocks, the short unpunctuated lines after the last real paragraph made one meta block."""
    start = len(items)
    while start > 0 and _signature_line(items[start - 1]):
        start -= 1
    if not any(kind == "paragraph" for kind, _, _ in items[:start]):
        start = len(items)
    blocks = [Block(kind, text) for kind, text, _ in items[:start]]
    if start < len(items):
        blocks.append(Block("meta", "\n".join(text for _, text, _ in items[start:])))
    return blocks


def _signature_line(item: tuple[str, str, bool]) -> bool:
    kind, text, listed = item
    return kind != "table" and not listed and len(text.split()) <= 6 and not text.endswith(_SENTENCE_END)
