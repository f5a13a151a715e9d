"""The PDF reader, on small PDFs drawn here with fpdf2 at exact positions."""

from __future__ import annotations

import io
import os
import shutil

import pdfplumber
import pytest
from fpdf import FPDF

from indexer.errors import LoadError
from indexer.loaders import pdf
from indexer.paragraphs import structure

HEADER = "Cheshire Constabulary – Inspection response"
MM_PER_PT = 25.4 / 72


class Letter:
    """An A4 document written line by line, as an office suite lays out a letter."""

    def __init__(self, pages: int = 1, footer: str = "Page {n} of {total}"):
        self.pdf = FPDF(format="A4")
        self.pdf.core_fonts_encoding = "windows-1252"
        self.pdf.set_auto_page_break(False)
        self.pages, self.footer, self.y = pages, footer, 0.0

    def page(self, header: str | None = HEADER) -> None:
        self.pdf.add_page()
        if header:
            self.put(15, header, size=9)
        if self.footer:
            self.put(287, self.footer.format(n=self.pdf.page_no(), total=self.pages), size=9, x=95)
        self.y = 35

    def put(self, y: float, text: str, size: float = 11, style: str = "", x: float = 20) -> None:
        self.pdf.set_font("Helvetica", style, size)
        self.pdf.text(x, y, text)

    def lines(self, lines: list[str], size: float = 11, style: str = "", x: float = 20, gap: float = 4):
        """Lines 1.25 × the font size apart, then a paragraph gap."""
        for line in lines:
            self.put(self.y, line, size, style, x)
            self.y += 1.25 * size * MM_PER_PT
        self.y += gap

    def bullets(self, items: list[str]) -> None:
        for item in items:
            self.put(self.y, "•", x=22)
            self.lines([item], x=27, gap=0)
        self.y += 4

    def superscript(self, text: str, after: str) -> None:
        """A small raised note number behind ``after`` on the line just written (with gap=0)."""
        self.pdf.set_font("Helvetica", "", 11)
        self.put(self.y - 1.25 * 11 * MM_PER_PT - 1.5, text, size=6, x=20 + self.pdf.get_string_width(after))

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def response_letter() -> bytes:
    """Three pages: running header, page-number footer, headings, a list, a
    paragraph running across a page break past a footnote, hyphens at line
    ends, and a two-column page."""
    doc = Letter(pages=3)
    doc.page()
    doc.lines(["Response to the custody inspection"], size=16, style="B", gap=3)
    doc.lines([
        "Thank you for your letter of 3 March and for the report on custody arrangements in",
        "Cheshire. The Constabulary accepts the findings and has started a full inspec-",
        "tion of every custody suite, putting the well-being of detainees first.",
    ])
    doc.lines(["Recommendation 1"], style="B", gap=1)
    doc.lines([
        "1. By April 2021 the force should make sure that children are not held overnight in",
        "police custody unless there is no alternative.",
    ], gap=0)
    doc.lines(["2. The force should record the reason whenever a child is detained overnight."])
    doc.lines(["The Constabulary has already:"], gap=0)
    doc.bullets([
        "reviewed the youth detention protocol with the local authority;",
        "trained all custody sergeants in the new guidance; and",
        "appointed a chief inspector as the lead for children in custody.",
    ])
    doc.y = 255
    doc.lines([
        "In the year to March 2020, 41 children were detained overnight, a fall of a third on",
        "the previous year.  We expect the new protocol, which the local authority signed in",
    ], gap=0)
    doc.superscript("1", "the previous year.")
    doc.put(275, "1 Home Office custody statistics, 2019/20.", size=8)
    doc.page()
    doc.lines([
        "January, to reduce that number further, and we will report progress to the Police",
        "and Crime Commissioner every quarter.",
    ])
    doc.lines([
        "Officers will also learn to recognise the signs of neglect, and the well-",
        "being of every child will be reviewed by an inspector. The Anti-",
        "Social Behaviour Team will offer a non-",
        "custodial option with the youth offending service.",
    ])
    doc.page()
    doc.lines(["Summary of actions"], size=14, style="B", gap=2)
    top = doc.y
    for x, paragraphs in (
        (20, [LEFT_COLUMN[:4], LEFT_COLUMN[4:]]),
        (110, [RIGHT_COLUMN[:4], RIGHT_COLUMN[4:]]),
    ):
        doc.y = top
        for lines in paragraphs:
            doc.lines(lines, size=10, x=x)
    return doc.bytes()


LEFT_COLUMN = [
    "Custody staff now check the welfare of every",
    "child each hour, and they record each check",
    "in the custody log so that the duty inspector",
    "can review it at the end of every shift.",
    "Sergeants call the local authority as soon as",
    "a child is charged and ask for a bed in local",
    "authority accommodation.",
]
RIGHT_COLUMN = [
    "The Commissioner will publish a yearly report",
    "on overnight detentions, with the reasons that",
    "officers gave and the outcome of each review",
    "carried out by the custody inspector.",
    "The protocol itself will be reviewed in a year",
    "with the youth offending service and with the",
    "local authority's children's services team.",
]

EXPECTED = [
    ("heading", "Response to the custody inspection", 1),
    ("paragraph", "Thank you for your letter of 3 March and for the report on custody arrangements in "
     "Cheshire. The Constabulary accepts the findings and has started a full inspection of every "
     "custody suite, putting the well-being of detainees first.", 1),
    ("heading", "Recommendation 1", 1),
    ("paragraph", "1. By April 2021 the force should make sure that children are not held overnight in "
     "police custody unless there is no alternative.", 1),
    ("paragraph", "2. The force should record the reason whenever a child is detained overnight.", 1),
    ("paragraph", "The Constabulary has already:", 1),
    ("paragraph", "reviewed the youth detention protocol with the local authority;", 1),
    ("paragraph", "trained all custody sergeants in the new guidance; and", 1),
    ("paragraph", "appointed a chief inspector as the lead for children in custody.", 1),
    ("paragraph", "In the year to March 2020, 41 children were detained overnight, a fall of a third on "
     "the previous year. We expect the new protocol, which the local authority signed in January, "
     "to reduce that number further, and we will report progress to the Police and Crime "
     "Commissioner every quarter.", 1),
    ("meta", "1 Home Office custody statistics, 2019/20.", 1),
    ("paragraph", "Officers will also learn to recognise the signs of neglect, and the well-being of every "
     "child will be reviewed by an inspector. The Anti-Social Behaviour Team will offer a "
     "non-custodial option with the youth offending service.", 2),
    ("heading", "Summary of actions", 3),
    ("paragraph", " ".join(LEFT_COLUMN[:4]), 3),
    ("paragraph", " ".join(LEFT_COLUMN[4:]), 3),
    ("paragraph", " ".join(RIGHT_COLUMN[:4]), 3),
    ("paragraph", " ".join(RIGHT_COLUMN[4:]), 3),
]


@pytest.fixture(scope="module")
def letter() -> bytes:
    return response_letter()


def test_letter_is_rebuilt_into_headings_and_whole_paragraphs(letter):
    assert [(b.kind, b.text, b.page) for b in pdf.read(letter, ocr=False)] == EXPECTED


def test_blocks_leave_sections_and_numbers_to_structure(letter):
    blocks = pdf.read(letter, ocr=False)
    assert all(b.section is None and b.paragraph is None for b in blocks)
    numbered = structure(blocks)
    first = next(b for b in numbered if b.text.startswith("1. By April"))
    assert (first.section, first.paragraph) == ("Recommendation 1", 2)


def test_running_header_and_page_numbers_are_dropped(letter):
    text = " ".join(b.text for b in pdf.read(letter, ocr=False))
    assert "Constabulary – Inspection" not in text and "Page" not in text


@pytest.mark.parametrize("footer", ["{n}", "Page {n}", "{n} of {total}", "- {n} -", "Page {n} of {total}"])
def test_a_line_that_is_only_a_page_number_is_dropped(footer):
    doc = Letter(pages=1, footer=footer)
    doc.page(header=None)
    doc.lines(["A single paragraph of text on a single page."])
    blocks = pdf.read(doc.bytes(), ocr=False)
    assert [b.text for b in blocks] == ["A single paragraph of text on a single page."]


def test_a_heading_that_opens_several_pages_is_not_a_running_header():
    doc = Letter(pages=3, footer="Page {n} of {total}")
    for number in (8, 10, 12):  # "Recommendation N" at the top of each page, numbering items, not pages
        doc.page(header=None)
        doc.put(15, f"Recommendation {number}", size=11, style="B")
        doc.y = 35
        doc.lines([f"The Committee's recommendation number {number} is set out here in full."])
    texts = [b.text for b in pdf.read(doc.bytes(), ocr=False)]
    assert [t for t in texts if t.startswith("Recommendation")] == ["Recommendation 8", "Recommendation 10",
                                                                     "Recommendation 12"]
    assert not any("Page" in t for t in texts)  # the footer counts with the page: still furniture


def test_chart_labels_and_lists_of_names_are_shown_not_searched():
    doc = Letter(pages=1, footer="")
    doc.page(header=None)
    for text in ("The chart shows the spend of each sector in 2023.", "Military 8.8", "Civilian 2.4",
                 "The committee's members:", "Lord Krebs", "Effective evaluation needs:", "longitudinal data;"):
        doc.lines([text], gap=8)
    kinds = {b.text: b.kind for b in pdf.read(doc.bytes(), ocr=False)}
    assert [kinds[t] for t in ("Military 8.8", "Civilian 2.4", "Lord Krebs")] == ["meta"] * 3
    assert kinds["longitudinal data;"] == kinds["The committee's members:"] == "paragraph"  # they end a clause


def test_text_that_is_not_furniture_survives_in_the_margins():
    doc = Letter(pages=1, footer="Yours sincerely, Chief Constable")
    doc.page(header=None)
    doc.lines(["The body of the letter."])
    blocks = pdf.read(doc.bytes(), ocr=False)
    assert [b.text for b in blocks] == ["The body of the letter.", "Yours sincerely, Chief Constable"]


def encrypted(user_password: str) -> bytes:
    doc = Letter(pages=1, footer="")
    doc.pdf.set_encryption(owner_password="owner", user_password=user_password)
    doc.page(header=None)
    doc.lines(["Protected text of the response."])
    return doc.bytes()


def test_password_protected_pdf_says_what_to_do():
    with pytest.raises(LoadError, match=r"^encrypted PDF — needs a password; save an unencrypted copy$"):
        pdf.read(encrypted("secret"), ocr=False)


def test_encrypted_pdf_with_empty_user_password_is_read():
    assert [b.text for b in pdf.read(encrypted(""), ocr=False)] == ["Protected text of the response."]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(os.urandom(4096), id="random-bytes"),
        pytest.param(b"", id="empty"),
        pytest.param(b"Dear Commissioner,\nThis is a text file saved as .pdf.\n" * 20, id="text-named-pdf"),
        pytest.param(b"%PDF-1.7\n" + os.urandom(4096), id="header-then-garbage"),
        pytest.param(response_letter()[: len(response_letter()) // 2], id="truncated"),
        pytest.param(
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
            id="no-pages",
        ),
    ],
)
def test_unreadable_pdf_is_a_load_error(data):
    with pytest.raises(LoadError, match=r"^not a readable PDF \(.+\); if it opens elsewhere, save or print it "
                                        r"to a new PDF$") as error:
        pdf.read(data, ocr=False)
    assert "\n" not in str(error.value)


def scanned() -> bytes:
    """An image-only PDF: a drawn page rasterised and placed as a picture."""
    doc = Letter(pages=1, footer="")
    doc.page(header=None)
    doc.lines(["Custody inspection response"], size=28)
    doc.lines(["Children detained overnight"], size=28)
    with pdfplumber.open(io.BytesIO(doc.bytes())) as drawn:
        image = drawn.pages[0].to_image(resolution=150).original
    out = FPDF(format="A4")
    out.add_page()
    out.image(image, x=0, y=0, w=210, h=297)
    return bytes(out.output())


def test_scanned_pdf_without_ocr_says_ocr_is_needed():
    needs_ocr = r"^no text layer — needs OCR \(install tesseract-ocr to read scanned PDFs\)$"
    with pytest.raises(LoadError, match=needs_ocr):
        pdf.read(scanned(), ocr=False)


NO_TESSERACT = "tesseract is not installed (apt install tesseract-ocr)"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason=NO_TESSERACT)
def test_scanned_pdf_is_read_with_ocr():
    blocks = pdf.read(scanned(), ocr=True)
    assert {b.kind for b in blocks} == {"paragraph"} and {b.page for b in blocks} == {1}
    text = " ".join(b.text for b in blocks).lower()
    assert "custody inspection response" in text and "children detained overnight" in text


def test_pdf_without_any_text_says_so():
    out = FPDF(format="A4")
    out.add_page()
    out.rect(20, 20, 50, 50)
    with pytest.raises(LoadError, match=r"^no text found in the PDF$"):
        pdf.read(bytes(out.output()), ocr=False)
