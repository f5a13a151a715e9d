"""One reader per file format, each turning a file's bytes into blocks.

A reader returns headings, paragraphs, tables and meta blocks in reading order
(``page`` set where the format has pages) and leaves sections and numbering to
``paragraphs.structure``, so every format is cited the same way. It raises
``LoadError`` with a one-line reason for a file it cannot read. Readers are
imported on first use: PDF and Word libraries are not loaded to index text.
"""

from __future__ import annotations

import importlib

from ..records import Block

READERS = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".pdf": "pdf",
    ".docx": "word",
    ".html": "webpage",
    ".htm": "webpage",
}


def read_blocks(suffix: str, data: bytes, ocr: str = "auto") -> list[Block]:
    """Blocks of a file with extension ``suffix`` (a key of READERS); raises LoadError.

    ``ocr`` (the setting: auto or off) says whether scanned PDFs may be OCRed.
    """
    module = importlib.import_module(f".{READERS[suffix]}", __name__)
    if READERS[suffix] == "pdf":
        return module.read(data, ocr=None if ocr == "auto" else False)
    return module.read(data)
