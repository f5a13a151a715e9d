"""The acceptance run: the sample corpus plus PDF, Word and web versions of one
sample and every kind of bad file, indexed together with the right counts and
reasons, and PDF results cited by page.
"""

import io
import os

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw

from indexer.build import build_index
from indexer.cli import main
from indexer.search import citation, search
from indexer.store import Index

from .conftest import CORPUS, make_settings
from .samples import SAMPLE, docx_version, html_version, pdf_version

pytestmark = pytest.mark.slow
DOCX, HTML, PDF = "versions-cse", "versions-cse-2", "versions-cse-3"  # ids follow the sorted file names


def blank_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A page that is only a picture of text, as a scanner makes it."""
    image = Image.new("RGB", (1200, 400), "white")
    ImageDraw.Draw(image).text((40, 40), "Custody detention of children was reviewed.", fill="black")
    png = io.BytesIO()
    image.save(png, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(png, x=10, y=10, w=190)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Restricted: the custody review.")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """(folder, settings, report, cli exit status, cli output) of the acceptance corpus."""
    root = tmp_path_factory.mktemp("mixed")
    docs = root / "docs"
    docs.mkdir()
    for source in CORPUS.iterdir():
        (docs / source.name).write_bytes(source.read_bytes())
    whole = pdf_version()
    files = {
        "versions/cse.pdf": whole,
        "versions/cse.docx": docx_version(),
        "versions/cse.html": html_version(),
        "bad/corrupt.pdf": os.urandom(3000),
        "bad/truncated.pdf": whole[: len(whole) // 2],
        "bad/secret.pdf": encrypted_pdf(),
        "bad/empty.txt": b"",
        "bad/binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50,
        "bad/blank.pdf": blank_pdf(),
        "bad/scanned.pdf": scanned_pdf(),
        "bad/notes.xlsx": b"PK\x03\x04",
    }
    for name, data in files.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_bytes(data)
    (docs / "bad/missing.txt").symlink_to(docs / "bad/gone.txt")  # a link to nothing: unreadable
    with open(docs / "bad/huge.txt", "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    settings = make_settings(root / "ix", corpus=str(docs), ocr="off")
    os.environ["PRECEDENT_OCR"] = "off"
    try:
        code = main(["index", str(docs), "--index-dir", str(settings.index_dir), "--quiet"])
    finally:
        del os.environ["PRECEDENT_OCR"]
    report = build_index(settings, progress=False)  # the same corpus again: up to date
    return docs, settings, report, code


def test_counts_and_reasons(mixed):
    _, _, report, code = mixed
    assert code == 2 and report.up_to_date
    assert (report.documents, report.paragraphs) == (8, 50 + 18 + 18 + 19)
    reasons = {s.source: (s.reason, s.failed) for s in report.skipped}
    assert reasons.pop("bad/notes.xlsx")[1] is False  # a format Precedent does not read: skipped, not failed
    expected = {
        "bad/corrupt.pdf": "not a readable PDF (no %PDF header); if it opens elsewhere, save or print it to a new PDF",
        "bad/truncated.pdf": "not a readable PDF (",
        "bad/secret.pdf": "encrypted PDF — needs a password; save an unencrypted copy",
        "bad/empty.txt": "empty file (0 bytes)",
        "bad/binary.txt": "binary file, not text (contains NUL bytes); if it is UTF-16 text without a byte-order "
                          "mark, save it as UTF-8",
        "bad/blank.pdf": "no text found in the PDF",
        "bad/scanned.pdf": "no text layer — needs OCR (install tesseract-ocr to read scanned PDFs)",
        "bad/missing.txt": "cannot be read (No such file or directory); check that it exists and is readable",
        "bad/huge.txt": "200 MB is over the 100 MB limit; raise PRECEDENT_MAX_FILE_MB to index it",
    }
    assert set(reasons) == set(expected)
    for source, start in expected.items():
        reason, failed = reasons[source]
        assert failed and reason.startswith(start) and "\n" not in reason, (source, reason)


def test_status_lists_every_file_not_indexed(mixed, capsys):
    _, settings, _, _ = mixed
    assert main(["status", "--index-dir", str(settings.index_dir)]) == 0
    out = capsys.readouterr().out
    assert "Documents: 8, paragraphs: 105, skipped: 1, failed: 9" in out
    assert "  bad/secret.pdf: encrypted PDF — needs a password" in out and "  bad/notes.xlsx: unsupported" in out


def test_every_format_gives_back_the_samples_paragraphs(mixed):
    _, settings, _, _ = mixed
    index = Index.open(settings)
    original = index.document(SAMPLE.removesuffix(".txt"))

    def paragraphs(doc_id):
        return [(p.label or p.section, p.role, p.text[:60]) for p in index.document(doc_id).paragraphs()]

    expected = paragraphs(original.doc_id)
    assert paragraphs(DOCX) == expected
    assert paragraphs(HTML) == expected  # no navigation, cookie banner or footer
    in_pdf = paragraphs(PDF)
    assert in_pdf[0][2].startswith("Title of Inspection: HMICFRS")  # the summary table, read as text
    assert [(s, r, t.replace("'", "’")) for s, r, t in in_pdf[1:]] == [
        (s, r, t.replace("'", "’").replace("“", '"').replace("”", '"')) for s, r, t in expected]
    for doc_id in (PDF, DOCX, HTML):
        meta = index.document(doc_id).meta
        assert (meta.author, meta.doc_type, meta.area) == ("John Dwyer", "pcc_response", "Cheshire")


def test_pdf_results_cite_their_page(mixed):
    _, settings, _, _ = mixed
    index = Index.open(settings)
    pages = [p.page for p in index.document(PDF).paragraphs()]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] >= 2
    rec9 = next(p for p in index.document(PDF).paragraphs() if p.label == "Recommendation 9")
    assert citation(rec9, index.document(PDF).meta).endswith(f"Recommendation 9, p. {rec9.page} ¶10")
    assert all(p.page is None for p in index.document(DOCX).paragraphs())


def test_the_four_versions_fold_into_one_result(mixed):
    _, settings, _, _ = mixed
    index = Index.open(settings)
    top = search(index, "eradicate victim blaming language", k=10, mode="hybrid").results
    first = top[0]
    versions = {first.doc_id, *(t.doc_id for t in first.also_in)}
    assert versions == {SAMPLE.removesuffix(".txt"), PDF, DOCX, HTML}
    assert {t.paragraph for t in first.also_in} | {first.paragraph} <= {9, 10}  # ¶10 in the PDF: its table is text
    assert not {r.doc_id for r in top[1:]} & versions - {first.doc_id} or all(
        r.paragraph != first.paragraph for r in top[1:] if r.doc_id == first.doc_id)


def test_document_view_marks_pdf_pages(mixed):
    from webui import create_app

    _, settings, _, _ = mixed
    client = create_app({"TESTING": True, "PRECEDENT_WARM": False}, settings=settings).test_client()
    page = client.get(f"/doc/{PDF}").get_data(as_text=True)
    assert '<p class="page" id="page-1">Page 1</p>' in page and '<p class="page" id="page-2">Page 2</p>' in page
    assert "OFFICIAL - Cheshire OPCC response" not in page and "Page 1 of" not in page  # running header, footer
    first = client.get("/api/search?q=eradicate+victim+blaming+language&k=5").get_json()["results"][0]
    assert f"/doc/{PDF}#p10" in [t["url"] for t in first["also_in"]]
    not_indexed = {item["source"]: item["reason"] for item in client.get("/api/status").get_json()["not_indexed"]}
    assert not_indexed["bad/secret.pdf"].startswith("encrypted PDF") and len(not_indexed) == 10
    page = client.get("/?q=eradicate+victim+blaming+language").get_data(as_text=True)
    assert "Also in 3 other documents:" in page and f'<a href="/doc/{PDF}#p10">' in page


def test_cli_lists_where_else_a_folded_paragraph_appears(mixed, capsys):
    _, settings, _, _ = mixed
    assert main(["search", "eradicate victim blaming language", "--k", "1", "--index-dir", str(settings.index_dir)]) == 0
    out = capsys.readouterr().out
    assert out.count("     also in: ") == 3 and f"/doc/{PDF}#p10" in out
