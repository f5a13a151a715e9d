"""Find source files and turn each into a Document, or into a one-line reason why not.

A file that cannot be indexed never stops the run and is never dropped
silently: it comes back as a ``Skipped`` record that the summary prints.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError
from .metadata import document_date, document_title
from .paragraphs import split_blocks
from .records import Document

SUPPORTED = (".txt", ".md", ".markdown")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source: str  # path relative to the root it was found under, with forward slashes


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str
    failed: bool  # True: a supported file that could not be read; False: not a format we read


class LoadError(Exception):
    """A supported file that yields no document; the message is the reason."""


def discover(paths: list[Path]) -> tuple[list[SourceFile], list[Skipped]]:
    """Every file under ``paths`` (hidden files and folders excepted), sorted by source.

    Raises ConfigError for a path that does not exist.
    """
    found: dict[str, SourceFile] = {}
    skipped: list[Skipped] = []
    for root in paths:
        if not root.exists():
            raise ConfigError(f"{root}: no such file or folder; give a folder of documents to index")
        candidates = [root] if root.is_file() else sorted(_visible_files(root))
        base = root.parent if root.is_file() else root
        for path in candidates:
            source = path.relative_to(base).as_posix()
            if source in found:
                source = path.as_posix()
            if path.suffix.lower() in SUPPORTED:
                found[source] = SourceFile(path, source)
            else:
                kind = path.suffix.lower() or "with no extension"
                skipped.append(Skipped(source, f"unsupported format {kind} (Precedent reads .txt and .md)", False))
    return sorted(found.values(), key=lambda f: f.source), skipped


def _visible_files(root: Path):
    for path in root.rglob("*"):
        relative = path.relative_to(root).parts
        if path.is_file() and not any(part.startswith(".") for part in relative):
            yield path


def read_bytes(file: SourceFile) -> bytes:
    try:
        return file.path.read_bytes()
    except OSError as error:
        raise LoadError(f"cannot be read ({error.strerror or error})") from None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load(file: SourceFile, data: bytes, doc_id: str) -> Document:
    """Parse one file's bytes into a Document; raises LoadError with the reason."""
    text = decode(data)
    blocks = tuple(split_blocks(text))
    if not any(block.kind == "paragraph" for block in blocks):
        raise LoadError("no paragraphs of text found")
    stem = file.path.stem
    return Document(doc_id, document_title(blocks, stem), document_date(blocks, stem), file.source, blocks)


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


def doc_ids(files: list[SourceFile]) -> dict[str, str]:
    """Stable, URL-safe ids from the source path: 'reports/2019 Halton.txt' -> 'reports-2019-halton'."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for file in files:
        base = re.sub(r"[^a-z0-9]+", "-", file.source.rsplit(".", 1)[0].lower()).strip("-") or "document"
        doc_id, n = base, 1
        while doc_id in taken:
            n += 1
            doc_id = f"{base}-{n}"
        taken.add(doc_id)
        ids[file.source] = doc_id
    return ids
