"""The Word reader, on .docx files built here with python-docx."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from indexer.errors import LoadError
from indexer.loaders import read_blocks, word
from indexer.metadata import table_fields
from indexer.paragraphs import structure
from indexer.records import Block


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def bold_paragraph(document, *texts: str):
    paragraph = document.add_paragraph()
    for text in texts:
        paragraph.add_run(text).bold = True
    return paragraph


def number(paragraph) -> None:
    """Give a Normal-style paragraph numbering properties, as Word's list buttons do."""
    num_pr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", "0"), ("w:numId", "1")):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        num_pr.append(child)
    paragraph._p.get_or_add_pPr().append(num_pr)


def response_letter() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Core title, not body text"
    document.core_properties.author = "Office of the PCC"
    document.sections[0].header.paragraphs[0].text = "OFFICIAL - letterhead"
    document.sections[0].footer.paragraphs[0].text = "Page 1 of 2"
    document.add_heading("Response to the custody inspection", 0)
    document.add_heading("Summary", 1)
    document.add_paragraph("")
    document.add_paragraph("   ")
    document.add_paragraph("The Commissioner   welcomes\tthe report\nand its findings.")
    bold_paragraph(document, "Recommendation ", "1:")
    document.add_paragraph("By 1 March 2024 the force should:")
    document.add_paragraph("review overnight detentions", style="List Bullet")
    number(bold_paragraph(document, "publish custody data"))
    bold_paragraph(document, "Custody data").style = "List Number"
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).text = "Title of Inspection"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "Custody  review"
    table.cell(1, 0).text = "Date Inspection Published"
    table.cell(1, 1).merge(table.cell(2, 1)).text = "6 June 2023"
    table.cell(2, 0).text = "Lead"
    document.add_paragraph("I will monitor progress through the scrutiny board.")
    document.add_paragraph("Yours sincerely,")
    bold_paragraph(document, "John Dwyer")
    document.add_paragraph("Police and Crime Commissioner for Cheshire")
    document.add_paragraph("6 June 2023")
    return save(document)


def test_reads_headings_paragraphs_lists_table_and_signature_in_body_order():
    assert word.read(response_letter()) == [
        Block("heading", "Response to the custody inspection"),
        Block("heading", "Summary"),
        Block("paragraph", "The Commissioner welcomes the report and its findings."),
        Block("heading", "Recommendation 1"),
        Block("paragraph", "By 1 March 2024 the force should:"),
        Block("paragraph", "review overnight detentions"),
        Block("paragraph", "publish custody data"),
        Block("paragraph", "Custody data"),
        Block(
            "table",
            "Title of Inspection\tCustody review\n"
            "Date Inspection Published\t6 June 2023\n"
            "Lead\t6 June 2023",
        ),
        Block("paragraph", "I will monitor progress through the scrutiny board."),
        Block("meta", "Yours sincerely,\nJohn Dwyer\nPolice and Crime Commissioner for Cheshire\n6 June 2023"),
    ]


def test_blocks_take_sections_and_numbers_from_structure_and_tables_give_fields():
    blocks = structure(read_blocks(".docx", response_letter()))
    numbered = [(b.paragraph, b.section, b.text) for b in blocks if b.kind == "paragraph"]
    assert numbered[0] == (1, "Summary", "The Commissioner welcomes the report and its findings.")
    assert numbered[1] == (2, "Recommendation 1", "By 1 March 2024 the force should:")
    assert numbered[-1][0] == 6
    assert blocks[-1].kind == "meta"
    assert table_fields(blocks)["title of inspection"] == "Custody review"


def test_subtitle_and_styles_based_on_a_heading_are_headings():
    document = docx.Document()
    document.add_paragraph("Thematic inspection", style="Subtitle")
    style = document.styles.add_style("Report Heading", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Heading 2"]
    document.add_paragraph("Areas for improvement", style="Report Heading")
    document.add_paragraph("The force has made progress.")
    assert [b.kind for b in word.read(save(document))] == ["heading", "heading", "paragraph"]


@pytest.mark.parametrize(
    "runs, kind",
    [
        (["Areas for ", "improvement"], "heading"),
        (["Partly ", None], "paragraph"),
        (["The force has reviewed its policy on detentions."], "paragraph"),
        (["One two three four five six seven eight nine ten eleven twelve thirteen"], "paragraph"),
        (["One two three four five six seven eight nine ten eleven twelve"], "heading"),
    ],
)
def test_a_short_unpunctuated_wholly_bold_line_is_a_heading(runs, kind):
    document = docx.Document()
    paragraph = document.add_paragraph()
    for text in runs:
        if text is None:
            paragraph.add_run("bold")
        else:
            paragraph.add_run(text).bold = True
    document.add_paragraph("A sentence that follows, so the line is not a signature.")
    assert word.read(save(document))[0].kind == kind


def test_bold_from_a_character_style_counts_and_a_plain_hyperlink_does_not():
    document = docx.Document()
    document.add_paragraph().add_run("Custody", style="Strong")
    linked = bold_paragraph(document, "Read the ")
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), "report")
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "report"
    run.append(text)
    link.append(run)
    linked._p.append(link)
    document.add_paragraph("The force has responded to every recommendation.")
    assert word.read(save(document))[:2] == [Block("heading", "Custody"), Block("paragraph", "Read the report")]


def test_short_list_items_at_the_end_are_not_a_signature():
    document = docx.Document()
    document.add_paragraph("The force will take these actions this year.")
    document.add_paragraph("review policy", style="List Bullet")
    document.add_paragraph("train staff", style="List Bullet")
    number(document.add_paragraph("publish data"))
    assert [b.kind for b in word.read(save(document))] == ["paragraph"] * 4


def test_short_lines_without_a_real_paragraph_stay_paragraphs():
    document = docx.Document()
    document.add_paragraph("Custody review")
    document.add_paragraph("June 2023")
    assert [b.kind for b in word.read(save(document))] == ["paragraph", "paragraph"]


def test_encrypted_or_old_format_files_are_refused_with_advice():
    with pytest.raises(LoadError, match="encrypted or old-format Word file — save it as an unprotected .docx"):
        word.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)


def repackaged(**changes: bytes | None) -> bytes:
    """The response letter's zip package with parts replaced (None removes one)."""
    with zipfile.ZipFile(io.BytesIO(response_letter())) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in {**parts, **changes}.items():
            if content is not None:
                archive.writestr(name, content)
    return buffer.getvalue()


def test_another_office_package_is_not_a_word_document():
    with zipfile.ZipFile(io.BytesIO(response_letter())) as source:
        types = source.read("[Content_Types].xml")
    types = types.replace(b"wordprocessingml.document.main+xml", b"presentationml.presentation.main+xml")
    with pytest.raises(LoadError) as raised:
        word.read(repackaged(**{"[Content_Types].xml": types}))
    assert str(raised.value) == (
        "not a readable Word .docx file (a zip package, but not a Word document); open it in Word and save it again"
    )


@pytest.mark.parametrize(
    "changes, detail",
    [
        ({"word/document.xml": None}, "word/document.xml"),
        ({"word/document.xml": b"<w:document"}, "line 1"),
    ],
    ids=["missing-part", "broken-xml"],
)
def test_a_package_with_a_missing_or_broken_part_is_unreadable(changes, detail):
    with pytest.raises(LoadError, match=rf"^not a readable Word \.docx file \(.*{detail}.*\); open it in Word"):
        word.read(repackaged(**changes))


@pytest.mark.parametrize("data", [b"", b"plain text renamed to .docx", response_letter()[:2000]])
def test_files_that_are_not_zip_archives_are_unreadable(data):
    with pytest.raises(LoadError, match=r"^not a readable Word \.docx file \(.+\)"):
        word.read(data)


def test_a_document_without_body_text_is_refused():
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Header only"
    document.add_paragraph("   ")
    document.add_table(rows=2, cols=2)
    with pytest.raises(LoadError, match="^no text found in the Word document$"):
        word.read(save(document))
