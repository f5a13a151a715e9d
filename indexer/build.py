"""Corpus -> a new index generation, switched in only when complete.

An unchanged corpus (same files, same bytes, same model) is not rebuilt:
``precedent index`` is then a quick no-op, which is what lets the start-up
command index "only when the index is missing or stale".
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import keyword, vectors
from .config import Settings
from .documents import LoadError, Skipped, SourceFile, content_hash, discover, doc_ids, load, read_bytes
from .errors import PrecedentError
from .store import SCHEMA_VERSION, IndexFolder


@dataclass
class BuildReport:
    index_dir: Path
    documents: int
    paragraphs: int
    skipped: list[Skipped] = field(default_factory=list)
    generation: str | None = None
    up_to_date: bool = False
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def failed(self) -> list[Skipped]:
        return [s for s in self.skipped if s.failed]


def build_index(settings: Settings, paths: list[Path] | None = None, rebuild: bool = False,
                progress: bool = True) -> BuildReport:
    """Index ``paths`` (default: the corpus setting) into a new generation of ``settings.index_dir``.

    Raises PrecedentError when no file yields a document; the previous
    generation is untouched in that case, as when the run is killed.
    """
    started = time.perf_counter()
    paths = paths or [settings.corpus]
    files, skipped = discover(paths)
    contents: dict[str, bytes] = {}
    for file in files:
        try:
            contents[file.source] = read_bytes(file)
        except LoadError as error:
            skipped.append(Skipped(file.source, str(error), True))
    readable = [f for f in files if f.source in contents]
    fingerprint = _fingerprint(readable, contents, skipped)
    folder = IndexFolder(settings.index_dir)
    with _locked(settings.index_dir):
        manifest = folder.manifest()
        if not rebuild and manifest and _fresh(manifest, settings, fingerprint):
            counts = manifest["counts"]
            return BuildReport(settings.index_dir, counts["documents"], counts["paragraphs"],
                               [Skipped(**s) for s in manifest["files"]["skipped"]],
                               folder.current().name, up_to_date=True,
                               seconds=time.perf_counter() - started)
        documents, hashes = [], {}
        ids = doc_ids(readable)
        for file in readable:
            try:
                documents.append(load(file, contents[file.source], ids[file.source]))
                hashes[file.source] = content_hash(contents[file.source])
            except LoadError as error:
                skipped.append(Skipped(file.source, str(error), True))
        if not documents:
            where = ", ".join(str(p) for p in paths)
            raise PrecedentError(f"{where}: no document could be indexed ({len(skipped)} files skipped); "
                                 "the existing index is unchanged")
        report = BuildReport(settings.index_dir, len(documents), 0, sorted(skipped, key=lambda s: s.source))
        number, partial = folder.begin()
        try:
            report.embed_seconds, dimension = _write_generation(partial, settings, documents, progress)
            report.paragraphs = sum(len(d.paragraphs()) for d in documents)
            _write_manifest(partial, number, settings, paths, fingerprint, dimension, documents, hashes, report)
            report.generation = folder.publish(number, partial).name
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def _write_generation(folder: Path, settings: Settings, documents, progress: bool) -> tuple[float, int]:
    """Write documents, keyword index and vectors; returns (seconds spent embedding, dimension)."""
    from tqdm import tqdm

    paragraphs = [p for d in documents for p in d.paragraphs()]
    with open(folder / "documents.jsonl", "w", encoding="utf-8") as handle:
        for doc in documents:
            handle.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
    keyword.build(folder / "keyword", paragraphs)
    embedder = vectors.Embedder(settings.model_path())
    dimension = embedder.dimension  # loads the model, so the timing below is embedding alone
    started = time.perf_counter()
    with tqdm(total=len(paragraphs), desc="Embedding", unit="¶", disable=not progress, leave=False) as bar:
        matrix = embedder.encode_documents([p.text for p in paragraphs], settings.batch_size, bar.update)
    seconds = time.perf_counter() - started
    vectors.save(folder / "vectors.npy", matrix)
    return seconds, dimension


def _write_manifest(folder, number, settings, paths, fingerprint, dimension, documents, hashes, report) -> None:
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "generation": number,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": {"name": settings.model_name(), "dimension": dimension},
        "counts": {"documents": report.documents, "paragraphs": report.paragraphs,
                   "skipped": len(report.skipped) - len(report.failed), "failed": len(report.failed)},
        "corpus": {"roots": [str(p) for p in paths], "fingerprint": fingerprint},
        "files": {
            "indexed": [{"source": d.source, "doc_id": d.doc_id, "sha256": hashes[d.source],
                         "paragraphs": len(d.paragraphs())} for d in documents],
            "skipped": [vars(s) for s in report.skipped],
        },
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _fingerprint(files: list[SourceFile], contents: dict[str, bytes], skipped) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.source}\0{content_hash(contents[file.source])}\n".encode())
    for item in sorted(skipped, key=lambda s: s.source):
        digest.update(f"skipped\0{item.source}\0{item.reason}\n".encode())
    return digest.hexdigest()


def _fresh(manifest: dict, settings: Settings, fingerprint: str) -> bool:
    return (
        manifest.get("schema_version") == SCHEMA_VERSION
        and manifest.get("model", {}).get("name") == settings.model_name()
        and manifest.get("corpus", {}).get("fingerprint") == fingerprint
    )


@contextmanager
def _locked(index_dir: Path):
    """One build at a time per index folder; a second one waits."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "LOCK", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
