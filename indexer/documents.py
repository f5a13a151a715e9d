"""Find source files and turn each into a Document, or into a one-line reason why not.

A file that cannot be indexed never stops the run and is never dropped
silently: it comes back as a ``Skipped`` record that the summary and
``precedent status`` print. Metadata sidecars (``NAME.meta.json``) travel with
the document they describe.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, LoadError
from .loaders import READERS, read_blocks
from .loaders.text import decode
from .metadata import describe
from .paragraphs import normalise, split_blocks, structure
from .records import Document, Metadata
from .roles import assign_roles
from .sidecar import SUFFIX, apply, read_sidecar, sidecar_path, split_front_matter

MARKDOWN = (".md", ".markdown")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    source: str  # path relative to the root it was found under, with forward slashes
    sidecar: Path | None = None

    @property
    def sidecar_source(self) -> str | None:
        return self.source[: -len(self.path.name)] + self.sidecar.name if self.sidecar else None


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str
    failed: bool  # True: a file that should have been indexed and was not; False: not a format we read


def discover(paths: list[Path]) -> tuple[list[SourceFile], list[Skipped]]:
    """Every file under ``paths`` (hidden files and folders excepted), sorted by source. A link to a folder,
    or to a file outside the folder searched, is reported, not followed: the corpus is what the folder holds.

    Raises ConfigError for a path that does not exist.
    """
    found: dict[str, SourceFile] = {}
    skipped: list[Skipped] = []
    sidecars: dict[Path, str] = {}
    for root in paths:
        if not root.exists():
            raise ConfigError(f"{root}: no such file or folder; give a folder of documents to index")
        candidates = [root] if root.is_file() else sorted(_visible_files(root))
        base = root.parent if root.is_file() else root
        for path in candidates:
            source = path.relative_to(base).as_posix()
            if source in found:
                source = path.as_posix()
            if path.is_symlink() and not root.is_file() and not path.resolve().is_relative_to(root.resolve()):
                skipped.append(Skipped(source, "a link to a file outside the folder being indexed, not followed; "
                                               "copy the file in to index it", False))
            elif path.name.lower().endswith(SUFFIX):
                sidecars[path] = source
            elif path.suffix.lower() in READERS:
                found[source] = SourceFile(path, source, sidecar_path(path))
            elif path.is_dir():  # a link to a folder: following it could loop or leave the corpus
                skipped.append(Skipped(source, "a link to a folder, not followed; give the folder itself to index it",
                                       False))
            else:
                kind = path.suffix.lower() or "with no extension"
                known = ", ".join(sorted(set(READERS)))
                skipped.append(Skipped(source, f"unsupported format {kind} (Precedent reads {known})", False))
    used = {f.sidecar for f in found.values()}
    skipped += [Skipped(source, "metadata for a document that is not here; rename or remove it", True)
                for path, source in sidecars.items() if path not in used]
    return sorted(found.values(), key=lambda f: f.source), skipped


def _visible_files(root: Path):
    """Regular files and broken links (reported as unreadable rather than passed over)."""
    for path in root.rglob("*"):
        relative = path.relative_to(root).parts
        if (path.is_file() or path.is_symlink()) and not any(part.startswith(".") for part in relative):
            yield path


def read_bytes(path: Path, max_mb: float) -> bytes:
    """The file's bytes; raises LoadError when it cannot be read, is empty or is over ``max_mb``."""
    try:
        size = path.stat().st_size
        if size > max_mb * 1024 * 1024:
            raise LoadError(f"{size / 1024 / 1024:.0f} MB is over the {max_mb:g} MB limit; "
                            "raise PRECEDENT_MAX_FILE_MB to index it")
        data = path.read_bytes()
    except OSError as error:
        raise LoadError(f"cannot be read ({error.strerror or error}); check that it exists and is readable") from None
    if not data:
        raise LoadError("empty file (0 bytes)")
    return data


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load(file: SourceFile, data: bytes, doc_id: str, sidecar: bytes | None = None,
         ocr: str = "auto") -> tuple[Document, list[Skipped]]:
    """Parse one file into a Document, with the problems of its sidecar (if any).

    Raises LoadError with the reason when the file itself yields no document.
    A bad sidecar does not stop the document being indexed with the metadata
    read from its text; the sidecar is reported as failed instead.
    """
    suffix = file.path.suffix.lower()
    overrides: dict = {}
    if suffix in MARKDOWN:
        overrides, text = split_front_matter(decode(data))
        blocks = split_blocks(text)
    else:
        blocks = structure(read_blocks(suffix, data, ocr))
    if not any(block.kind == "paragraph" for block in blocks):
        raise LoadError("no paragraphs of text found")
    problems = []
    if sidecar is not None:
        try:
            overrides = {**overrides, **read_sidecar(sidecar)}
        except LoadError as error:
            problems.append(Skipped(file.sidecar_source, f"{error}; {file.path.name} was indexed without it", True))
    meta = apply(describe(blocks, file.path.stem), overrides)
    meta = Metadata(**{name: normalise(value) if isinstance(value, str) else value
                       for name, value in vars(meta).items()})
    return Document(doc_id, file.source, meta, tuple(assign_roles(blocks, meta.doc_type))), problems


def slug(text: str) -> str:
    """``text`` as lower-case ASCII words joined by hyphens, safe in a URL or a file name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def doc_ids(files: list[SourceFile], kept: dict[str, str] | None = None) -> dict[str, str]:
    """Stable, URL-safe ids from the source path: 'reports/2019 Halton.txt' -> 'reports-2019-halton'.

    ``kept`` maps each source to its id in the last index. A file keeps its id, so
    the citations made before stay valid when a file with a clashing name is added.
    """
    present = {file.source for file in files}
    ids = {source: doc_id for source, doc_id in (kept or {}).items() if source in present}
    taken = set(ids.values())
    for file in files:
        if file.source in ids:
            continue
        base = slug(file.source.rsplit(".", 1)[0]) or "document"
        doc_id, n = base, 1
        while doc_id in taken:
            n += 1
            doc_id = f"{base}-{n}"
        taken.add(doc_id)
        ids[file.source] = doc_id
    return ids
