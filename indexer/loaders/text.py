"""Plain text and Markdown: decoded, then split by the rules in ``paragraphs``."""

from __future__ import annotations

import codecs

from ..errors import LoadError
from ..paragraphs import split_blocks
from ..records import Block


def read(data: bytes) -> list[Block]:
    return split_blocks(decode(data))


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the usual office-document encodings; UTF-16
    with its byte-order mark, as Windows Notepad saves "Unicode" text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise LoadError("not readable as the UTF-16 text its byte-order mark says it is") from None
    if not data.strip():
        raise LoadError("empty file")
    if b"\x00" in data[:8192]:
        raise LoadError("binary file, not text (contains NUL bytes); if it is UTF-16 text without a "
                        "byte-order mark, save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise LoadError("not readable as UTF-8 or Windows-1252 text") from None
