"""PDF: positioned words rebuilt into headings and paragraphs; OCR for scanned pages.

A PDF stores words at positions, not paragraphs, and repeats page furniture on
every page. A citation needs the whole paragraph and the page it starts on, so
the text layer (read with pdfplumber) is rebuilt by these rules:

- Reading order: words form lines by vertical overlap. A page with a clear
  gutter down its middle is read left column, then right column; lines that
  cross the gutter (a title, a full-width paragraph) are read where they stand.
  Rotated characters (margin labels, sideways tables) are ignored.
- Running headers and footers, lines in the top or bottom 12% of a page whose
  text recurs at one height on several pages (digits ignored, so "Page 3 of 9"
  matches "Page 4 of 9"), are dropped wherever they appear in those bands, as
  is a line there that is only a page number ("12", "Page 12", "- 12 -").
- Footnote references (small raised digits) are dropped from the text.
- A paragraph ends at a gap larger than the usual line spacing, a change of font
  size, a bulleted line, a numbered line ("12.", "8.1.", "(a)") after a finished
  line, and after a line that ends with . : ; ? or ! (or changes between bold,
  italic and regular) where the next line's first word would still have fitted.
  Otherwise lines join, across columns and pages too, so a paragraph that runs
  onto the next page is one paragraph, cited at the page it starts on. Bullets
  are dropped; numbers stay ("12. The Committee…").
- A line-end hyphen is removed ("inspec-/tion") unless the next line starts
  with a capital or digit, the hyphenated word occurs elsewhere in the document,
  or the part before the hyphen is a word of the document or a common prefix
  ("evidence-/based", "non-/regulatory"): office software seldom splits words.
- A block in a font noticeably larger than the body, or a short bold or italic
  block not ending in . , or ; is a heading. Contents pages (most lines end in a
  page number), blocks without letters and blocks of three words or fewer that
  end no sentence or list item (chart labels, names in a list of members) are
  ``meta``.
- Footnotes, the run of small lines closing a page from the first one that
  starts with a note number, become ``meta`` blocks (shown, not searched: they
  are mostly references), placed after the paragraph they interrupt, which
  therefore still joins across the page break.
- Ruled tables with two or more rows of two filled cells become ``table``
  blocks; a ruled box around one column of text (a boxed recommendation) is text.
- Pages with images but no text are OCRed with tesseract when it is installed;
  each blank-line separated paragraph of its output is a paragraph.

``read`` raises ``LoadError`` for damaged, password-protected and textless files.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess  # nosec B404
import tempfile
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from ..errors import LoadError
from ..records import Block

_MARGIN = 0.12  # share of the page height, top and bottom, where headers and footers live
_PAGE_NUMBER = re.compile(r"^(?:(?i:page)\s+)?(?:\d+|[ivx]{1,5})(?:\s*(?:of|/)\s*\d+)?$|^[-–—] ?\d+ ?[-–—]$")
_BULLET = re.compile(r"^(?:[•▪◦●■○➢✓\uf0a7\uf0b7\uf0d8]\s*|[-–*]\s+)")
_NUMBERED = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*[.)]|\(?[a-z]\)|\((?:[ivx]{1,4}|\d{1,3})\))\s")
_NOTE = re.compile(r"^(?:\d{1,3}|[*†‡§])\s")
_FINAL = re.compile(r"[.!?:;][\"'”’)\]]*$")
_UNFINISHED = re.compile(r"[.,;][\"'”’)\]]*$")
_BOLD = re.compile(r"bold|semib|demi|black|heavy", re.I)
_ITALIC = re.compile(r"italic|oblique|-it$", re.I)
_PREFIXES = {"anti", "co", "cross", "ex", "inter", "multi", "non", "post", "pre", "re", "self", "semi", "sub"}
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬆ": "st", "\xad": ""})


@dataclass
class _Page:
    number: int
    width: float
    height: float
    words: list[dict]
    tables: list[tuple[float, str]]  # (top, rows)
    ocr: list[str]  # paragraphs read from the page image
    scanned: bool  # images but no text


@dataclass(eq=False)
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    base: float  # baseline of the line's main font
    size: float
    bold: bool
    italic: bool
    lead: float  # width of the first word: would it have fitted on the line above?
    right: float  # right edge of the column the line sits in
    column: int
    margin: bool  # in the header or footer band


_RESAVE = "; if it opens elsewhere, save or print it to a new PDF"


def read(data: bytes, ocr: bool | None = None) -> list[Block]:
    """Blocks of a PDF; ``ocr`` None means "if tesseract is installed". Raises LoadError."""
    if ocr is None:
        ocr = shutil.which("tesseract") is not None
    if b"%PDF-" not in data[:1024]:
        raise LoadError(f"not a readable PDF (no %PDF header){_RESAVE}")
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_extract(page, ocr) for page in pdf.pages]
    except (LoadError, MemoryError):  # out of memory: the parser's limit (``parsing``) says so
        raise
    except PdfminerException as exc:  # pdfplumber wraps what pdfminer raises while opening
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, MemoryError) or isinstance(cause, zlib.error) and "allocate" in str(cause):
            raise MemoryError(str(cause)) from None  # zlib's "Unable to allocate output buffer" is memory too
        if isinstance(cause, PDFPasswordIncorrect):
            raise LoadError("encrypted PDF — needs a password; save an unencrypted copy") from None
        if isinstance(cause, PDFEncryptionError):
            reason = f"encrypted PDF that cannot be decrypted ({_reason(cause)}); save an unencrypted copy"
            raise LoadError(reason) from None
        raise LoadError(f"not a readable PDF ({_reason(cause)}){_RESAVE}") from None
    except Exception as exc:  # damaged files fail deep in pdfminer with all kinds of errors
        raise LoadError(f"not a readable PDF ({_reason(exc)}){_RESAVE}") from None
    if not pages:  # what pdfminer makes of a truncated file
        raise LoadError(f"not a readable PDF (no pages found){_RESAVE}")
    blocks = _blocks(pages, _drop_running([line for page in pages for line in _page_lines(page)], len(pages)))
    if not blocks and any(page.scanned for page in pages) and not ocr:
        raise LoadError("no text layer — needs OCR (install tesseract-ocr to read scanned PDFs)")
    if not blocks:
        raise LoadError("no text found in the PDF")
    return blocks


def _reason(exc: BaseException | str) -> str:
    text = str(exc).strip().splitlines()
    return text[-1][:80] if text else type(exc).__name__


def _extract(page, ocr: bool) -> _Page:
    """What pdfplumber reads on one page: upright words outside tables, tables, OCR."""
    upright = page.filter(lambda obj: obj.get("object_type") != "char" or obj.get("upright", True))
    tables = [(t.bbox, rows) for t in upright.find_tables() if _is_table(rows := t.extract())]
    inside = lambda w, box: box[0] <= (w["x0"] + w["x1"]) / 2 <= box[2] and box[1] <= w["top"] <= box[3]
    words = [
        w for w in upright.extract_words(extra_attrs=["fontname", "size"])
        if not any(inside(w, box) for box, _ in tables)
    ]
    scanned = not words and bool(page.images)
    result = _Page(
        page.page_number, page.width, page.height, words,
        [(bbox[1], "\n".join(_table_rows(rows))) for bbox, rows in tables],
        _ocr(page) if scanned and ocr else [], scanned,
    )
    page.close()
    return result


def _is_table(rows: list[list[str | None]]) -> bool:
    return sum(1 for row in rows if sum(1 for cell in row if cell and cell.strip()) >= 2) >= 2


def _table_rows(rows: list[list[str | None]]) -> list[str]:
    joined = ("\t".join(_clean(cell) for cell in row if cell and cell.strip()) for row in rows)
    return [row for row in joined if row]


def _page_lines(page: _Page) -> list[_Line]:
    return [
        _line(row, page, right, column)
        for column, (group, right) in enumerate(_flows(page.words, page.width))
        for row in _rows(group)
    ]


def _flows(words: list[dict], width: float) -> list[tuple[list[dict], float]]:
    """Word groups in reading order, each with the right edge of its column."""
    gutter = _gutter(words, width)
    if gutter is None:
        return [(words, max((w["x1"] for w in words), default=width))]
    bands: list[list[float]] = []  # heights taken by lines crossing the gutter
    for top, bottom in sorted((w["top"], w["bottom"]) for w in words if w["x0"] < gutter < w["x1"]):
        if bands and top <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], bottom)
        else:
            bands.append([top, bottom])
    left_edge, right_edge = max(w["x1"] for w in words if w["x1"] <= gutter), max(w["x1"] for w in words)
    middle = lambda w: (w["top"] + w["bottom"]) / 2
    groups, start = [], float("-inf")
    for top, bottom in bands + [[float("inf"), float("inf")]]:
        between = [w for w in words if start < middle(w) < top]
        groups.append(([w for w in between if w["x1"] <= gutter], left_edge))
        groups.append(([w for w in between if w["x0"] >= gutter], right_edge))
        groups.append(([w for w in words if top <= middle(w) <= bottom], right_edge))
        start = bottom
    return [(group, edge) for group, edge in groups if group]


def _gutter(words: list[dict], width: float) -> float | None:
    """The middle of the widest strip near the page's centre that few lines cross,
    if text columns stand side by side on both sides of it."""
    rows = len({round(w["bottom"]) for w in words})
    if rows < 6:
        return None
    cover = [0] * (int(width) + 2)
    for w in words:
        for x in range(max(0, int(w["x0"])), min(len(cover), int(w["x1"]) + 1)):
            cover[x] += 1
    best, start = (0, 0), None
    for x in range(int(width * 0.3), int(width * 0.7) + 1):
        if cover[x] <= rows * 0.25 and x < int(width * 0.7):
            start = x if start is None else start
        elif start is not None:
            best, start = max(best, (start, x), key=lambda run: run[1] - run[0]), None
    gutter = (best[0] + best[1]) / 2
    left = [w for w in words if w["x1"] <= gutter]
    right = [w for w in words if w["x0"] >= gutter]
    if best[1] - best[0] < 6 or min(len(left), len(right)) < 0.2 * len(words):
        return None
    if any(max(w["x1"] for w in side) - min(w["x0"] for w in side) < 0.3 * width for side in (left, right)):
        return None
    side_by_side = min(max(w["bottom"] for w in left), max(w["bottom"] for w in right)) - max(
        min(w["top"] for w in left), min(w["top"] for w in right)
    )
    return gutter if side_by_side > 3 * median(w["size"] for w in words) else None


def _rows(words: list[dict]) -> list[list[dict]]:
    """Words grouped into lines: a word joins the line its height mostly overlaps."""
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: w["top"]):
        if rows:
            top, bottom = min(v["top"] for v in rows[-1]), max(v["bottom"] for v in rows[-1])
            overlap = min(bottom, w["bottom"]) - max(top, w["top"])
            if overlap >= 0.5 * min(bottom - top, w["bottom"] - w["top"]):
                rows[-1].append(w)
                continue
        rows.append([w])
    return rows


def _line(words: list[dict], page: _Page, right: float, column: int) -> _Line:
    """One line; its size is the one most of its characters have."""
    words = sorted(words, key=lambda w: w["x0"])
    sizes = Counter()
    for w in words:
        sizes[round(w["size"] * 2) / 2] += len(w["text"])
    size = sizes.most_common(1)[0][0]
    base = median(w["bottom"] for w in words if round(w["size"] * 2) / 2 == size)
    kept, text = words[:1], words[0]["text"]
    for before, w in zip(words, words[1:]):  # a font change splits a word without a gap
        raised = w["size"] < 0.8 * size and w["bottom"] < base - 0.2 * size
        if raised and re.fullmatch(r"[\d,*†‡]+", w["text"]):
            continue  # a superscript note reference
        text += (" " if w["x0"] - before["x1"] > 0.1 * w["size"] else "") + w["text"]
        kept.append(w)
    chars = sum(len(w["text"]) for w in kept)
    styled = lambda style: sum(len(w["text"]) for w in kept if style.search(w["fontname"])) >= 0.8 * chars
    top, bottom = min(w["top"] for w in words), max(w["bottom"] for w in words)
    return _Line(
        page.number, _clean(text), kept[0]["x0"], kept[-1]["x1"], top, bottom, base, size,
        styled(_BOLD), styled(_ITALIC), kept[0]["x1"] - kept[0]["x0"], right, column,
        top < _MARGIN * page.height or bottom > (1 - _MARGIN) * page.height,
    )


def _clean(text: str) -> str:
    return " ".join(text.translate(_LIGATURES).split())


def _drop_running(lines: list[_Line], pages: int) -> list[_Line]:
    """The lines without running headers, footers and page numbers.

    A text is running once it recurs at one height on enough pages; it is then
    dropped from every margin band it appears in (opening pages often sit lower).
    Its numbers may change ("Page 3 of 9", "Chapter 4") as page numbers do, in
    step with the page, or by repeating; a heading that happens to open pages
    ("Recommendation 8" on one, "Recommendation 10" on another) numbers items.
    """
    need = 2 if pages <= 3 else max(3, round(0.2 * pages))
    key = lambda line: re.sub(r"\d+", "#", line.text.lower())
    seen = defaultdict(list)
    for line in lines:
        if line.margin:
            seen[key(line)].append(line)
    running = {
        text for text, same in seen.items()
        if any(len({o.page for o in same if abs(o.top - line.top) <= 3}) >= need for line in same)
    }
    repeated = Counter(line.text.lower() for line in lines if line.margin)
    furniture = lambda line: key(line) in running and (_paged(seen[key(line)]) or repeated[line.text.lower()] > 1)
    return [l for l in lines if not (l.margin and (furniture(l) or _PAGE_NUMBER.match(l.text)))]


def _paged(same: list[_Line]) -> bool:
    """Whether each number of these lines is the same on every page or counts with the page."""
    numbers = [[int(n) for n in re.findall(r"\d+", line.text)] for line in same]
    return all(len({found[i] for found in numbers}) == 1
               or len({found[i] - line.page for found, line in zip(numbers, same)}) == 1
               for i in range(len(numbers[0])))


def _blocks(pages: list[_Page], lines: list[_Line]) -> list[Block]:
    """Paragraphs, headings, tables and footnotes in reading order."""
    sizes = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 0
    pitches = [
        b.base - a.base for a, b in zip(lines, lines[1:])
        if (a.page, a.column, a.size) == (b.page, b.column, b.size) and a.size == body
        and 0 < b.base - a.base < 2.5 * body
    ]
    spacing = median(pitches) / body if pitches else 1.2
    vocabulary = _vocabulary(lines)
    by_page = defaultdict(list)
    for line in lines:
        by_page[line.page].append(line)
    numbered = lambda ls: sum(1 for line in ls if re.search(r"\s\d+$", line.text))  # contents pages
    contents = {n for n, ls in by_page.items() if len(ls) >= 5 and numbered(ls) >= 0.6 * len(ls)}
    blocks: list[Block] = []
    current: list[_Line] = []
    notes: list[Block] = []

    def close():
        if current:
            blocks.append(_block(current, body, vocabulary, current[0].page in contents))
            current.clear()
        blocks.extend(notes)
        notes.clear()

    for page in pages:
        text_lines, note_lines = _split_notes(by_page[page.number], body, page.height)
        tables = sorted(page.tables)
        for line in text_lines:
            while tables and tables[0][0] < line.top:
                close()
                blocks.append(Block("table", tables.pop(0)[1], page=page.number))
            if not current or _starts_block(current[-1], line, spacing):
                close()
            current.append(line)
        if tables or page.ocr:
            close()
        blocks.extend(Block("table", text, page=page.number) for _, text in tables)
        blocks.extend(Block("paragraph", text, page=page.number) for text in page.ocr)
        notes.extend(_notes(note_lines, vocabulary))
    close()
    return blocks


def _split_notes(lines: list[_Line], body: float, height: float) -> tuple[list[_Line], list[_Line]]:
    """(text, footnotes): footnotes are the run of small lines closing the page, from a note number on."""
    floor = max((l.base for l in lines if l.size >= 0.9 * body), default=float("-inf"))
    notes: list[_Line] = []
    for line in sorted(lines, key=lambda l: l.top, reverse=True):
        detached = notes and notes[0].top - line.top > 2.5 * line.size
        if line.size >= 0.9 * body or line.top <= floor or detached:
            break
        notes.insert(0, line)
    while notes and not _NOTE.match(notes[0].text):
        notes.pop(0)
    if not notes or notes[0].top < height / 2:
        return lines, []
    return [l for l in lines if l not in notes], notes


def _notes(lines: list[_Line], vocabulary: set[str]) -> list[Block]:
    """Footnote lines as meta blocks, one per note number."""
    notes: list[list[_Line]] = []
    for line in lines:
        if not notes or _NOTE.match(line.text) and line.x0 <= notes[-1][0].x0 + 1:
            notes.append([])
        notes[-1].append(line)
    return [Block("meta", _text([l.text for l in note], vocabulary), page=note[0].page) for note in notes]


def _starts_block(prev: _Line, line: _Line, spacing: float) -> bool:
    """Whether ``line`` starts a block rather than continuing the one that ``prev`` ends."""
    if abs(prev.size - line.size) > 0.5 or _BULLET.match(line.text):
        return True
    same_flow = (prev.page, prev.column) == (line.page, line.column)
    if same_flow and line.base - prev.base > 1.35 * spacing * max(prev.size, line.size):
        return True
    short = prev.right - prev.x1 > line.lead + 0.5 * prev.size
    final = bool(_FINAL.search(prev.text))
    restyled = (prev.bold, prev.italic) != (line.bold, line.italic)
    if _NUMBERED.match(line.text) and (short or final):
        return True
    return (short and (final or restyled)) or (final and restyled and not same_flow)


def _block(lines: list[_Line], body: float, vocabulary: set[str], contents: bool) -> Block:
    text, page = _BULLET.sub("", _text([line.text for line in lines], vocabulary), count=1), lines[0].page
    words = len(text.split())
    if contents or not re.search(r"[^\W\d_]", text):
        return Block("meta", "\n".join(line.text for line in lines), page=page)
    if lines[0].size >= 1.15 * body and words <= 40:
        return Block("heading", text, page=page)
    emphasised = all(line.bold or line.italic for line in lines) and lines[0].size >= body - 0.5
    if emphasised and len(lines) <= 3 and words <= 20 and not _UNFINISHED.search(text):
        return Block("heading", text, page=page)
    if words <= 3 and not text.rstrip().endswith((".", "?", "!", ";", ":", ",")):
        return Block("meta", text, page=page)  # a chart label or a name in a list: "Military 8.8", "Lord Krebs"
    return Block("paragraph", text, page=page)


def _vocabulary(lines: list[_Line]) -> set[str]:
    """Words and hyphenated pairs of the document, leaving out words broken at a line end."""
    vocabulary = set()
    for line in lines:
        for token in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.sub(r"\S*-$", "", line.text).lower()):
            parts = token.split("-")
            vocabulary.update(parts)
            vocabulary.update(f"{a}-{b}" for a, b in zip(parts, parts[1:]))
    return vocabulary


def _text(lines: list[str], vocabulary: set[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        text = _join(text, line, vocabulary)
    return text


def _join(left: str, right: str, vocabulary: set[str]) -> str:
    """Two lines as one text, deciding what a hyphen or dash ending the first one means."""
    if left.endswith(("—", "–")) and not left[-2:-1].isspace():
        return left + right
    end, start = re.search(r"([^\W\d_]+)-$", left), re.match(r"[^\W\d_]+", right)
    if not end:
        return f"{left} {right}"
    if start and right[0].islower():
        head, tail = end.group(1).lower(), start.group(0).lower()
        if f"{head}-{tail}" not in vocabulary and (
            head + tail in vocabulary or (head not in vocabulary and head not in _PREFIXES)
        ):
            return left[:-1] + right
    return left + right


def _ocr(page) -> list[str]:
    """The paragraphs tesseract reads on the page rendered at 300 dpi."""
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "page.png"
        page.to_image(resolution=300).original.save(image)
        try:
            command = ["tesseract", str(image), "stdout"]
            # tesseract with a fixed argv and no shell (bandit B603)
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)  # nosec B603
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise LoadError(f"OCR failed on page {page.page_number} ({_reason(exc)})") from None
    if done.returncode:
        raise LoadError(f"OCR failed on page {page.page_number} ({_reason(done.stderr)})")
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", done.stdout):
        lines = [_clean(line) for line in chunk.splitlines() if line.strip()]
        if lines and not (len(lines) == 1 and _PAGE_NUMBER.match(lines[0])):
            paragraphs.append(_text(lines, set()))
    return paragraphs
