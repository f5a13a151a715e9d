"""Split a document's text into blocks: paragraphs with their section, headings, tables.

Inspection letters and responses arrive as loosely marked-up text: Markdown
headings, ``**bold**`` headings, all-caps banners, ``<b>``/``<sup>`` tags from
office converters, tab-separated summary tables, signature blocks. The rules:

- blocks are separated by blank lines; a ``#`` heading line is always a block;
- a heading (``#``, a block wholly in ``**…**``, an all-caps line, or a short
  unpunctuated first line) is not a paragraph: it becomes the ``section`` of the
  paragraphs below it (a trailing colon dropped);
- a paragraph that opens with a bold label (``**AFI 1** - All chief …``) starts a
  section of its own named by the label;
- list items are paragraphs of their own, and their lead-in sentence is one too:
  in responses each item is a separate commitment that people quote and cite on
  its own ("the youth overnight detention protocol has been reviewed"), and a
  list item joined to its siblings would bury it;
- lines describing a signature image ("A handwritten signature in blue ink …")
  are dropped; letterhead and signature blocks (short unpunctuated lines, and
  headings with no paragraph after them, such as a bold name and role) are kept
  as ``meta`` blocks for the document view but not searched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from . import sentences
from .records import Block

LONGEST = 3000  # characters: a paragraph longer than a page is text with no paragraph breaks

_SIGNATURE_IMAGE = re.compile(
    r"^\W*(?:an?\s+)?(?:image of (?:a\s+)?)?(?:handwritten\s+|scanned\s+)?signature\b"
    r".*\b(?:ink|appearing to read|reads?|illegible)\b",
    re.IGNORECASE,
)
# What no text keeps: control characters but tab and newline, lone surrogates (a broken PDF's text layer), and the
# bidirectional embeddings, overrides and isolates, with which a line can show other than it reads (U+202E)
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_WHOLE_BOLD = re.compile(r"^\*{2,3}([^*]+?)\*{2,3}\s*:?\s*$", re.DOTALL)
_WHOLE_TAG_BOLD = re.compile(r"^<(b|strong)>(.+?)</\1>\s*:?\s*$", re.DOTALL | re.IGNORECASE)
_LEAD_LABEL = re.compile(r"^\*{2,3}([^*]{1,60}?)\*{2,3}\s*[-–—:]\s*(?=\S)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•▪◦]|\d{1,3}[.)]|\([a-z0-9]{1,3}\))\s+")
_SUP = re.compile(r"\s*<sup>(.*?)</sup>", re.IGNORECASE | re.DOTALL)
_INLINE_TAG = re.compile(r"</?(?:b|i|u|em|strong|sub|span|small|font)\b[^>]*>", re.IGNORECASE)
_BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_EMPHASIS = re.compile(r"(?<=\S)\*{1,3}|\*{1,3}(?=\S)")
_TERMINAL = (".", "?", "!", ";", ",", ":")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


def clean_inline(text: str) -> str:
    """Remove inline markup and collapse whitespace, keeping every other character.

    Only formatting tags are removed: a literal ``<script>`` in a document is
    text, and is escaped wherever it is shown.
    """
    text = _SUP.sub(r"\1", text)
    text = _BR_TAG.sub(" ", text)
    text = _INLINE_TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def normalise(text: str) -> str:
    """``text`` as every format's is kept: Unicode NFC (one code for "é", however the file composed it), line
    breaks as newlines (a form feed is a page break), without the characters of ``_UNWANTED``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return unicodedata.normalize("NFC", _UNWANTED.sub("", text))


def split_blocks(text: str) -> list[Block]:
    """Turn a document's text into blocks, numbering paragraphs from 1."""
    blocks: list[Block] = []
    raw = _raw_blocks(normalise(text))
    for index, lines in enumerate(raw):
        # a short first line is a title only when text follows it
        for kind, content in _classify(lines, first=index == 0 and len(raw) > 1):
            if kind == "labelled":
                section, content = content
                blocks.append(Block("paragraph", content, section))
            else:
                blocks.append(Block(kind, content))
    return structure(blocks)


def structure(blocks: list[Block]) -> list[Block]:
    """Give each paragraph its section and number; the step every format reader shares.

    A paragraph's section is the heading above it, or the label it carries
    (which then also heads the paragraphs after it). Paragraphs are numbered
    from 1. Headings, and short unpunctuated lines after the last sentence
    when one of them names a role or a date, are a signature ("John Dwyer /
    Police and Crime Commissioner"), not a section or a paragraph. Every text is
    ``normalise``d first, and a block left empty is dropped.
    """
    blocks = [replace(b, text=normalise(b.text), section=b.section and normalise(b.section)) for b in blocks]
    blocks = [b for b in blocks if b.text.strip()]
    result, count, section = [], 0, None
    last = max((i for i, b in enumerate(blocks) if b.kind == "paragraph" and not _signature_line(b.text)),
               default=None)
    closing = [b.text for b in blocks[last + 1:] if b.kind == "paragraph"] if last is not None else []
    if last is None or not any(_SIGNS.search(text) for text in closing):
        # nothing but short lines, or short lines that sign nothing (the last items of a list): text
        last = max((i for i, b in enumerate(blocks) if b.kind == "paragraph"), default=-1)
    for i, block in enumerate(blocks):
        if block.kind in ("heading", "paragraph") and i > last:
            result.append(replace(block, kind="meta", section=None))
        elif block.kind == "heading":
            section = block.text
            result.append(block)
        elif block.kind == "paragraph":
            section = block.section or section
            for part in _parts(block.text):
                count += 1
                result.append(replace(block, text=part, section=section, paragraph=count))
        else:
            result.append(block)
    return result


def _parts(text: str) -> list[str]:
    """``text`` in parts of at most LONGEST characters, cut between sentences (or, in a sentence that
    long, between words): a file with no blank lines is not one paragraph to cite, embed and mark."""
    if len(text) <= LONGEST:
        return [text]
    parts, current = [], ""
    for sentence in sentences.of(text) or [text]:
        while len(sentence) > LONGEST:
            cut = sentence.rfind(" ", 0, LONGEST) if " " in sentence[:LONGEST] else LONGEST
            parts += [current] if current else []
            parts.append(sentence[:cut].strip())
            current, sentence = "", sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > LONGEST:
            parts.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    return parts + ([current] if current else [])


_SIGNS = re.compile(r"\b(?:Commissioner|Constable|Chief|Director|Inspector|Chair|Officer|Mayor|Sincerely|"
                    r"Regards|Signed|January|February|March|April|May|June|July|August|September|October|"
                    r"November|December)\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")


def _signature_line(text: str) -> bool:
    return len(text.split()) <= 6 and not text.endswith(_TERMINAL[:4])


def _raw_blocks(text: str) -> list[list[str]]:
    """Blank-line separated groups of lines; Markdown heading lines stand alone."""
    groups: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.rstrip()
        if not line.strip() or _SIGNATURE_IMAGE.match(line.strip()):
            groups.append([])
        elif _MD_HEADING.match(line):
            groups.extend([[line], []])
        else:
            groups[-1].append(line)
    return [g for g in groups if g]


def _classify(lines: list[str], first: bool):
    """Yield (kind, content) for one raw block."""
    if _is_table(lines):
        yield "table", "\n".join(_table_rows(lines))
        return
    heading = _heading(lines, first)
    if heading is not None:
        yield "heading", heading
        return
    if any(_LIST_ITEM.match(line) for line in lines):
        yield from _list_paragraphs(lines)
        return
    joined = " ".join(line.strip() for line in lines)
    label = _LEAD_LABEL.match(joined)
    if label:
        yield "labelled", (clean_inline(label.group(1)), clean_inline(joined))
    elif _is_meta(lines):
        yield "meta", "\n".join(clean_inline(line) for line in lines)
    else:
        yield "paragraph", clean_inline(joined)


def _heading(lines: list[str], first: bool) -> str | None:
    joined = " ".join(line.strip() for line in lines)
    match = _MD_HEADING.match(joined) or _WHOLE_BOLD.match(joined)
    if match:
        return _tidy_heading(match.group(1))
    match = _WHOLE_TAG_BOLD.match(joined)
    if match:
        return _tidy_heading(match.group(2))
    text = clean_inline(joined)
    letters = [c for c in text if c.isalpha()]
    words = text.split()
    if len(letters) >= 4 and all(c.isupper() for c in letters) and len(words) <= 25:
        return _tidy_heading(text)
    if first and len(lines) == 1 and len(words) <= 12 and not text.endswith(_TERMINAL):
        return _tidy_heading(text)
    return None


def _tidy_heading(text: str) -> str:
    text = clean_inline(text).rstrip(":").strip()
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        text = _title_case(text)
    return text


def _title_case(text: str) -> str:
    """'RESPONSE OF DAVID KEANE' -> 'Response of David Keane'; vowel-less acronyms stay."""
    words = []
    for i, word in enumerate(text.split()):
        lower = word.lower()
        if not re.search(r"[aeiouy]", lower):
            words.append(word)
        elif i and lower in _SMALL_WORDS:
            words.append(lower)
        else:
            words.append(lower[:1].upper() + lower[1:])
    return " ".join(words)


def _list_paragraphs(lines: list[str]):
    """A lead-in (if any) and then each item, continuation lines joined to their item."""
    current: list[str] = []
    for line in lines:
        if _LIST_ITEM.match(line) and current:
            yield "paragraph", clean_inline(" ".join(current))
            current = []
        current.append(_LIST_ITEM.sub("", line, count=1) if _LIST_ITEM.match(line) else line.strip())
    if current:
        yield "paragraph", clean_inline(" ".join(current))


def _is_table(lines: list[str]) -> bool:
    tabbed = sum(1 for line in lines if "\t" in line.strip())
    return tabbed > 0 and tabbed * 2 >= len(lines)


def _table_rows(lines: list[str]) -> list[str]:
    rows = []
    for line in lines:
        cells = [clean_inline(cell) for cell in line.split("\t")]
        cells = [cell for cell in cells if cell]
        if cells:
            rows.append("\t".join(cells))
    return rows


def _is_meta(lines: list[str]) -> bool:
    """Letterheads and signature blocks: a few short lines, none a sentence."""
    texts = [clean_inline(line) for line in lines]
    short = all(len(t.split()) <= 6 and not t.endswith(_TERMINAL[:4]) for t in texts)
    return short and (len(texts) >= 2 or len(texts[0].split()) <= 3)
