"""Plain text and Markdown: decoded, then split by the rules in ``paragraphs``."""

from __future__ import annotations

from ..errors import LoadError
from ..paragraphs import split_blocks
from ..records import Block


def read(data: bytes) -> list[Block]:
    return split_blocks(decode(data))


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the usual office-document encodings."""
    if not data.strip():
        raise LoadError("empty file")
    if b"\x00" in data[:8192]:
        raise LoadError("binary file, not text (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise LoadError("not readable as UTF-8 or Windows-1252 text") from None
