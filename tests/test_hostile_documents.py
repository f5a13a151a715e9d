"""Files written to break the indexer: each is indexed or set aside with its reason, within a time and a
memory limit (``parsing``), and the run goes on; no text kept holds a NUL, a lone surrogate or a direction
override, and every text is Unicode-normalised."""

import io
import os
import re
import unicodedata
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.build import build_index
from indexer.documents import SourceFile
from indexer.errors import LoadError
from indexer.loaders.text import decode
from indexer.paragraphs import LONGEST, split_blocks
from indexer.parsing import Parser
from indexer.search import search
from indexer.store import Index

from .conftest import make_settings, write

pytestmark = pytest.mark.slow
FORBIDDEN = re.compile(r"[\x00\ud800-\udfff\u202a-\u202e\u2066-\u2069]")  # NUL, surrogates, direction controls
MEMORY = 300  # MB a test's parser may take: the bombs below unpack to more
NORMAL = ("The force reviewed custody detention of children held overnight.\n\n"
          "The Commissioner will ask for a report on the review by March.\n")


def pdf(*objects: bytes) -> bytes:
    """A PDF of ``objects`` (numbered from 1, the first its catalogue), with its cross-reference table."""
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table)


def one_page(stream: bytes, dictionary: bytes = b"", kids: bytes = b"[3 0 R]") -> bytes:
    return pdf(b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids %s /Count 1 >>" % kids,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(stream), dictionary, stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")


TEXT = b"BT /F1 12 Tf 72 720 Td (Custody detention of children was reviewed in this letter.) Tj ET"


def deflated(head: bytes, megabytes: int) -> bytes:
    """``head`` then ``megabytes`` MB of spaces, deflated a chunk at a time (the test never holds them)."""
    packer, chunk = zlib.compressobj(9), b" " * (1 << 20)
    return packer.compress(head) + b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()


def docx_bomb(megabytes: int) -> bytes:
    """A Word file whose document part unpacks to ``megabytes`` MB."""
    made = io.BytesIO()
    docx.Document().save(made)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(made.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, source.read(item))
        with bomb.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                       b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            chunk = b"a" * (1 << 20)
            for _ in range(megabytes):
                part.write(chunk)
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(report, settings, folder) of a corpus of two ordinary documents among hostile ones."""
    root = tmp_path_factory.mktemp("hostile-documents")
    docs = root / "docs"
    write(docs, "ordinary.txt", NORMAL)
    write(docs, "ordinary.pdf", one_page(TEXT))
    files = {
        "nul-inside.txt": NORMAL + "x" * 9000 + "\x00\x00 after the NULs the text goes on.\n",
        "mixed-encodings.txt": NORMAL.encode() + "Caf\u00e9 in UTF-8, ".encode() + b"\x93quoted\x94 in Windows-1252.\n",
        "right-to-left.txt": "The force \u202egniweiver\u202c will review custody \u2067again\u2069.\n\nSecond.\n",
        "long-word.txt": NORMAL + "\n" + "a" * 100_000 + "\n",
        "no-newlines.txt": b"word " * 10_000_000,  # 50 MB in one line
        "binary.txt": bytes(range(256)) * 64,
        "empty.txt": b"",
        "blank.txt": b" \n\t\n  \n",
        "decompression-bomb.pdf": one_page(deflated(TEXT, 400), b" /Filter /FlateDecode"),
        "page-tree-loop.pdf": one_page(TEXT, kids=b"[2 0 R]"),
        "zip-bomb.docx": docx_bomb(400),
    }
    for name, content in files.items():
        write(docs, name, content)
    outside = write(root, "outside.txt", "Held outside the corpus: custody records of another office.\n")
    os.symlink(outside, docs / "linked-outside.txt")
    settings = make_settings(root / "index", corpus=str(docs), parse_mb=str(MEMORY))
    return build_index(settings, progress=False), settings, docs


def test_each_hostile_file_is_indexed_or_set_aside_with_its_reason(hostile):
    report, settings, docs = hostile
    reasons = {s.source: s.reason for s in report.skipped}
    indexed = {f["source"] for f in Index.open(settings).manifest["files"]["indexed"]}
    every = {path.name for path in docs.iterdir()}
    assert indexed | set(reasons) == every and not indexed & set(reasons)
    assert {"ordinary.txt", "ordinary.pdf", "nul-inside.txt", "mixed-encodings.txt", "right-to-left.txt",
            "long-word.txt", "page-tree-loop.pdf"} <= indexed  # pdfminer finds the page its tree loops round
    assert re.search(rf"needed more than {MEMORY} MB|took more than", reasons["no-newlines.txt"])
    assert f"needed more than {MEMORY} MB of memory and was stopped" in reasons["decompression-bomb.pdf"]
    assert f"needed more than {MEMORY} MB of memory and was stopped" in reasons["zip-bomb.docx"]
    assert "binary file" in reasons["binary.txt"] and "empty" in reasons["empty.txt"] + reasons["blank.txt"]
    assert "outside the folder being indexed, not followed" in reasons["linked-outside.txt"]


def test_the_index_of_a_hostile_corpus_answers_and_keeps_no_control_text(hostile):
    _, settings, _ = hostile
    index = Index.open(settings)
    found = search(index, "custody detention of children", k=10, mode="hybrid").results
    assert "custody detention of children" in found[0].text.lower()
    texts = [index.paragraphs[row].text for row in range(len(index.paragraphs))]
    assert not [text for text in texts if FORBIDDEN.search(text) or len(text) > LONGEST]
    assert "The force gniweiver will review custody again." in texts
    assert not [d.title for d in index.documents.metas if FORBIDDEN.search(d.title)]


def test_a_file_past_the_time_limit_is_stopped_and_the_next_is_read():
    with Parser(seconds=0.5, megabytes=2048) as parser:
        with pytest.raises(LoadError, match=r"^parsing took more than 0.5 s and was stopped; set "
                                            r"PRECEDENT_PARSE_SECONDS higher"):
            parser.load(SourceFile(Path("slow.txt"), "slow.txt"), b"word " * 10_000_000, "slow")
        document, problems = parser.load(SourceFile(Path("next.txt"), "next.txt"), NORMAL.encode(), "next")
    assert document.doc_id == "next" and not problems


PIECES = st.sampled_from(["\n\n", "\n", "\r\n", "\r", "\f", "# ", "**", "\u202e", "\u2066", "\x00", "\x07", "1. ",
                          "- ", "<b>", "</b>", "<sup>", "Recommendation 1", "\t", "e\u0301", "\ufb01", ".", " ",
                          "\ud800", "Yours sincerely", "AFI 2 - "])
TEXTS = st.lists(st.one_of(st.text(st.characters(exclude_categories=())), PIECES), max_size=60).map("".join)


@given(TEXTS)
def test_split_text_is_normalised_and_free_of_control_characters(text):
    for block in split_blocks(text):
        for kept in filter(None, (block.text, block.section)):
            assert not FORBIDDEN.search(kept) and unicodedata.is_normalized("NFC", kept), (block, text)
        if block.kind == "paragraph":
            assert block.text.strip() and len(block.text) <= LONGEST


@given(st.binary(max_size=2000))
def test_any_bytes_decode_to_text_or_a_reason(data):
    try:
        assert isinstance(decode(data), str)
    except LoadError as error:
        assert str(error)
