"""Make PDF, Word and web-page versions of a sample document, for the format tests.

They are generated from the sample's own blocks, so a reader that rebuilds
the document correctly must give back the sample's paragraphs and sections.
"""

from __future__ import annotations

import io

import docx
from fpdf import FPDF

from indexer.loaders.text import decode
from indexer.paragraphs import split_blocks

from .conftest import CORPUS

SAMPLE = "2023-12-pcc-response-group-based-cse-thematic.txt"
_ASCII = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def sample_blocks(name: str = SAMPLE):
    return split_blocks(decode((CORPUS / name).read_bytes()))


class _Letter(FPDF):
    """A4 pages with a running header and 'Page N of M' footer, as published responses have."""

    def header(self):
        self.set_font("helvetica", size=8)
        self.cell(0, 8, "OFFICIAL - Cheshire OPCC response to HMICFRS", align="C")
        self.ln(12)

    def footer(self):
        self.set_y(-15)
        self.set_font("helvetica", size=8)
        self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")


def pdf_version(name: str = SAMPLE) -> bytes:
    pdf = _Letter(format="A4")
    pdf.add_page()
    for block in sample_blocks(name):
        text = block.text.translate(_ASCII)
        if block.kind == "heading":
            pdf.set_font("helvetica", style="B", size=14)
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif block.kind == "table":
            pdf.set_font("helvetica", size=10)
            for row in text.split("\n"):
                pdf.multi_cell(0, 5, row.replace("\t", ": ", 1).replace("\t", " "), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        else:
            pdf.set_font("helvetica", size=11)
            pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
    return bytes(pdf.output())


def docx_version(name: str = SAMPLE) -> bytes:
    document = docx.Document()
    for block in sample_blocks(name):
        if block.kind == "heading":
            document.add_heading(block.text, level=2)
        elif block.kind == "table":
            rows = [row.split("\t") for row in block.text.split("\n")]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for cells, row in zip(table.rows, rows):
                for cell, value in zip(cells.cells, row):
                    cell.text = value
        else:
            for line in block.text.split("\n"):
                document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def html_version(name: str = SAMPLE) -> bytes:
    from html import escape

    parts = []
    for block in sample_blocks(name):
        if block.kind == "heading":
            parts.append(f"<h2>{escape(block.text)}</h2>")
        elif block.kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row.split("\t")) + "</tr>"
                           for row in block.text.split("\n"))
            parts.append(f"<table>{rows}</table>")
        else:
            parts.append("".join(f"<p>{escape(line)}</p>" for line in block.text.split("\n")))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Response to HMICFRS - GOV.UK</title></head><body>
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<div class="govuk-cookie-banner"><p>We use some essential cookies to make this service work.</p></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav></header>
<div class="govuk-breadcrumbs"><ol><li>Home</li><li>Policing</li></ol></div>
<main id="main-content">{"".join(parts)}</main>
<footer><p>All content is available under the Open Government Licence v3.0.</p></footer>
</body></html>""".encode("utf-8")
