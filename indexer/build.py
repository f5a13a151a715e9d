"""Corpus -> a new index generation, switched in only when complete and consistent.

Indexing is incremental: a file whose bytes (and sidecar) are unchanged since
the current generation is not parsed again, a paragraph whose text is
unchanged is not embedded (nor split into sentences) again, and the keyword
index is the previous one with only the changed documents replaced. An unchanged corpus is a quick no-op
that loads no model, which is what lets the start-up command index "only when
the index is missing or stale". ``rebuild`` starts from nothing.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import checksums, duplicates, itemise, keyword, quantise, sentences, table, vectors
from .config import Settings
from .documents import Skipped, SourceFile, content_hash, discover, doc_ids, read_bytes
from .encoders import Encoder, open_encoder
from .errors import LoadError, NothingIndexed, PrecedentError
from .metadata import context
from .parsing import Parser
from .records import Document, Paragraph
from .store import (DUPLICATES, GROUPS, SCHEMA_VERSION, SENTENCE_FIRST, SENTENCE_SPANS, Generation, IndexFolder,
                    encoder_of, keyword_engine_of)


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # what a full disk or quota answers a write


@dataclass
class BuildReport:
    index_dir: Path
    documents: int = 0
    paragraphs: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    generation: str | None = None
    up_to_date: bool = False
    added: int = 0  # documents parsed in this run: new or changed files
    removed: int = 0  # documents of the previous generation no longer in the corpus
    embedded: int = 0  # paragraphs embedded in this run; the rest reused their vectors
    sentences_embedded: int = 0  # sentences of paragraphs of several, embedded beside them
    folded: int = 0  # paragraphs near-identical to one in another document, shown as one result
    precisions: list[str] = field(default_factory=list)  # what the stored vectors were embedded in
    seconds: float = 0.0
    embed_seconds: float = 0.0
    # where the time went, for benchmarks/suite.py: reading and parsing files, the near-duplicate
    # check, the keyword index, the ledger (embedding is embed_seconds)
    parse_seconds: float = 0.0
    duplicates_seconds: float = 0.0
    keyword_seconds: float = 0.0
    ledger_seconds: float = 0.0

    @property
    def failed(self) -> list[Skipped]:
        return [s for s in self.skipped if s.failed]


@dataclass
class _Source:
    """One discovered file, read, with the hash that decides whether it changed."""

    file: SourceFile
    data: bytes
    sidecar: bytes | None
    key: str


def build_index(settings: Settings, paths: list[Path] | None = None, rebuild: bool = False,
                progress: bool = True, encoder: Encoder | None = None) -> BuildReport:
    """Index ``paths`` (default: the corpus setting) into a new generation of ``settings.index_dir``.

    ``encoder`` embeds the text (default: the configured one); the benchmarks
    pass their own, which must bear the name of the configured one.

    Raises NothingIndexed when no file yields a document; the current
    generation is untouched in that case, as when the run is killed.
    """
    started = time.perf_counter()
    paths = paths or [settings.corpus]
    sources, skipped = _read_sources(paths, settings.max_file_mb)
    fingerprint = _fingerprint(sources, skipped, settings)
    folder = IndexFolder(settings.index_dir)
    with _locked(settings.index_dir):
        manifest = None if rebuild else folder.manifest()
        # a damaged generation is built again (vector_cache says so), though the corpus has not changed
        if manifest and _fresh(manifest, settings, fingerprint) and not checksums.problem(folder.current(), whole=True):
            return _up_to_date(manifest, folder.current().name, settings.index_dir, started)
        cache = None if rebuild else folder.vector_cache(settings)
        previous = cache if cache and cache.manifest.get("schema_version") == SCHEMA_VERSION else None
        report = BuildReport(settings.index_dir)
        documents, reused = _documents(sources, previous, _kept_ids(folder.manifest()), settings, skipped, report,
                                       progress)
        report.parse_seconds = time.perf_counter() - started
        if not documents:
            where = ", ".join(str(p) for p in paths)
            why = f"{len(skipped)} file{'s' * (len(skipped) != 1)} skipped or failed" if skipped else "no files found"
            kept = "; the existing index is unchanged" if folder.current() else ""
            raise NothingIndexed(f"{where}: no document could be indexed ({why}){kept}",
                                 sorted(skipped, key=lambda s: s.source))
        report.skipped = sorted(skipped, key=lambda s: s.source)
        paragraphs = _paragraphs(documents, reused, previous)
        report.paragraphs = len(paragraphs)
        number, partial = folder.begin()
        try:
            dimension = _write_generation(partial, settings, documents, paragraphs, reused, previous, cache, report,
                                          progress, encoder)
            _write_manifest(partial, number, settings, paths, fingerprint, dimension, documents, paragraphs, sources,
                            report)
            # the ledger reads the generation's paragraphs, vectors and manifest
            clock = time.perf_counter()
            itemise.write(partial, settings, previous.folder if previous else None)
            report.ledger_seconds = time.perf_counter() - clock
            checksums.write(partial)  # last: every file as it is published
            report.generation = folder.publish(number, partial).name
        except OSError as error:
            if error.errno not in _FULL:
                raise
            current = folder.current()
            size = f" (the current generation takes {_megabytes(current)} MB)" if current else ""
            raise PrecedentError(f"{settings.index_dir}: the disk is full ({error.strerror}) while writing the new "
                                 f"generation; free space on it{size} and run again; the existing index is "
                                 "unchanged") from None
        finally:
            folder.discard(partial)
    report.seconds = time.perf_counter() - started
    return report


def _megabytes(folder: Path) -> int:
    return round(sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6)


def _read_sources(paths: list[Path], max_mb: int) -> tuple[list[_Source], list[Skipped]]:
    files, skipped = discover(paths)
    sources = []
    for file in files:
        try:
            data = read_bytes(file.path, max_mb)
        except LoadError as error:
            skipped.append(Skipped(file.source, str(error), True))
            continue
        sidecar, sidecar_key = None, ""
        if file.sidecar:
            try:
                sidecar = read_bytes(file.sidecar, max_mb)
                sidecar_key = ":" + content_hash(sidecar)
            except LoadError as error:
                sidecar_key = ":unreadable"
                skipped.append(Skipped(file.sidecar_source, f"{error}; {file.path.name} was indexed without it", True))
        sources.append(_Source(file, data, sidecar, content_hash(data) + sidecar_key))
    return sources, skipped


def _kept_ids(manifest: dict | None) -> dict[str, str]:
    """Each file's id in the current generation, whatever its schema, for the file to keep."""
    return {entry["source"]: entry["doc_id"] for entry in (manifest or {}).get("files", {}).get("indexed", [])}


def _documents(sources: list[_Source], previous: Generation | None, kept: dict[str, str], settings: Settings,
               skipped: list[Skipped], report: BuildReport, progress: bool) -> tuple[list[Document], set[str]]:
    """All documents, and the ids of those reused unchanged from the previous generation.

    ``kept`` gives each file's id in the current index, which it keeps (even through a rebuild).
    """
    from tqdm import tqdm

    ids = doc_ids([s.file for s in sources], kept)
    known = {entry["source"]: entry for entry in previous.manifest["files"]["indexed"]} if previous else {}
    documents, reused = [], set()
    bar = tqdm(total=len(sources), desc="Reading", unit="file", disable=not progress, leave=False)
    with Parser(settings.parse_seconds, settings.parse_mb) as parser:
        for source in sources:
            bar.update()
            doc_id, entry = ids[source.file.source], known.get(source.file.source)
            if entry and entry["key"] == source.key and entry["doc_id"] == doc_id:
                documents.append(previous.documents[doc_id])
                reused.add(doc_id)
                continue
            bar.set_postfix_str(source.file.source[-40:], refresh=False)
            try:
                document, problems = parser.load(source.file, source.data, doc_id, source.sidecar, settings.ocr)
            except LoadError as error:
                skipped.append(Skipped(source.file.source, str(error), True))
                continue
            documents.append(document)
            skipped.extend(problems)
            report.added += 1
    bar.close()
    if previous:
        kept = {d.doc_id for d in documents}
        report.removed = sum(1 for doc_id in previous.documents if doc_id not in kept)
    report.documents = len(documents)
    return documents, reused


def _paragraphs(documents: list[Document], reused: set[str], previous: Generation | None) -> list[Paragraph]:
    """Every paragraph, in order: those of the documents ``reused`` from ``previous`` are its own, as
    making them again takes seconds at 100,000 paragraphs."""
    kept: dict[str, list[Paragraph]] = {}
    for p in previous.paragraphs if previous else ():
        if p.doc_id in reused:
            kept.setdefault(p.doc_id, []).append(p)
    return [p for d in documents for p in (kept[d.doc_id] if d.doc_id in kept else d.paragraphs())]


def _write_generation(folder: Path, settings: Settings, documents: list[Document], paragraphs: list[Paragraph],
                      reused: set[str], previous: Generation | None, cache: Generation | None, report: BuildReport,
                      progress: bool, encoder: Encoder | None) -> int:
    """Write documents, keyword index and vectors, check they agree; returns the vector dimension.

    ``previous`` is the generation to update; ``cache`` one whose vectors may be reused.
    """
    from tqdm import tqdm

    # encoding a document again takes seconds at 100,000 paragraphs: an unchanged one's line is copied
    table.write(folder, documents, {doc_id: previous.lines[doc_id] for doc_id in reused} if previous else {})
    _vectors(folder, settings, paragraphs, cache, report, progress, encoder)
    matrix = np.load(folder / "vectors.npy")
    rows = {p.key: row for row, p in enumerate(paragraphs)}
    clock = time.perf_counter()
    linked = _near_identical(paragraphs, rows, matrix, reused, previous, progress)
    report.duplicates_seconds = time.perf_counter() - clock
    (folder / DUPLICATES).write_text(json.dumps([[paragraphs[i].key, paragraphs[j].key] for i, j in sorted(linked)]),
                                     encoding="utf-8")
    group = duplicates.numbered(len(paragraphs), linked)
    np.save(folder / GROUPS, group)
    report.folded = int((group >= 0).sum())
    contexts = {d.doc_id: context(d.meta) for d in documents}
    # the previous keyword index is updated when its engine can and is the configured one; else all is indexed
    engine = keyword.engine(settings.keyword_engine)
    clock = time.perf_counter()
    update = previous and engine.INCREMENTAL and keyword_engine_of(previous.manifest) == settings.keyword_engine
    todo = [p for p in paragraphs if p.doc_id not in reused] if update else paragraphs
    with tqdm(todo, desc="Keyword index", unit="¶", disable=not progress, leave=False) as shown:
        if update:
            keys = engine.build(folder / "keyword", shown, contexts, rows, previous.folder / "keyword",
                                set(previous.documents) - reused)
        else:
            keys = engine.build(folder / "keyword", shown, contexts, rows)
    report.keyword_seconds = time.perf_counter() - clock
    if sorted(keys) != sorted(p.key for p in paragraphs) or len(matrix) != len(paragraphs):
        raise PrecedentError(f"{folder}: keyword index ({len(keys)} entries) and vectors ({len(matrix)}) do not "
                             f"match the {len(paragraphs)} paragraphs; the existing index is unchanged")
    return matrix.shape[1]


def _near_identical(paragraphs: list[Paragraph], rows: dict[str, int], matrix: np.ndarray, reused: set[str],
                    previous: Generation | None, progress: bool) -> set[tuple[int, int]]:
    """The near-identical pairs of rows (``rows`` gives each paragraph key's): the previous generation's
    between paragraphs of unchanged documents, and those of each new or changed paragraph, compared with
    every other."""
    from tqdm import tqdm

    known = set()
    if previous:
        for a, b in previous.duplicate_pairs():
            if a.rpartition("#p")[0] in reused and b.rpartition("#p")[0] in reused:
                known.add((rows[a], rows[b]))
    fresh = np.array([row for row, p in enumerate(paragraphs) if p.doc_id not in reused or not previous],
                     dtype=np.int64)
    with tqdm(total=len(fresh), desc="Near-duplicates", unit="¶", disable=not progress, leave=False) as bar:
        return known | duplicates.pairs([p.text for p in paragraphs], matrix, [p.doc_id for p in paragraphs], fresh,
                                        bar.update)


def _vectors(folder: Path, settings: Settings, paragraphs: list[Paragraph], cache: Generation | None,
             report: BuildReport, progress: bool, encoder: Encoder | None) -> None:
    """Write the vector of each paragraph (``vectors.npy``) and of each sentence of each paragraph of
    several (``sentences.npy``, in paragraph order; SENTENCE_FIRST and SENTENCE_SPANS say whose they are).

    A text embedded before (by the same model) reuses its vector, copied from ``cache``'s files;
    the rest are embedded now.
    """
    paragraphs_before, sentences_before, spans_before = cache.embedded() if cache else ([], [], {})
    spans = [spans_before[p.text] if p.text in spans_before else sentences.spans(p.text) for p in paragraphs]
    texts = [p.text for p in paragraphs] + [p.text[start:end] for p, found in zip(paragraphs, spans)
                                            for start, end in found]
    known = [_lookup(paragraphs_before), _lookup(sentences_before)]
    todo = list(dict.fromkeys(text for text in texts if text not in known[0][1] and text not in known[1][1]))
    fresh = _embed(todo, texts, paragraphs, settings, cache, report, progress, encoder)
    known.append(_lookup(todo))
    sources = [cache.vectors, cache.sentence_vectors, fresh] if cache else [fresh[:0], fresh[:0], fresh]
    for name, wanted in (("vectors.npy", texts[:len(paragraphs)]), ("sentences.npy", texts[len(paragraphs):])):
        vectors.save_rows(folder / name, sources, *_picks(wanted, known), fresh.shape[1])
    np.save(folder / SENTENCE_FIRST, np.cumsum([0] + [len(found) for found in spans]))
    np.save(folder / SENTENCE_SPANS, np.array([pair for found in spans for pair in found], np.int64).reshape(-1, 2))


def _embed(todo: list[str], texts: list[str], paragraphs: list[Paragraph], settings: Settings,
           cache: Generation | None, report: BuildReport, progress: bool, encoder: Encoder | None) -> np.ndarray:
    """The vectors of the ``todo`` texts; ``report`` learns what was embedded and the precisions the
    vectors of ``texts`` (those of ``paragraphs``, then their sentences) were embedded in."""
    from tqdm import tqdm

    reusing = len(todo) < len(set(texts))
    precisions = set(cache.manifest["model"].get("precision", ["not recorded"])) if reusing else set()
    fresh = np.zeros((0, cache.vectors.shape[1] if cache else 0), np.float32)
    if todo:
        embedder = encoder or open_encoder(settings)
        precisions.add(embedder.precision)  # loads the model, so the timing below is embedding alone
        # and what queries run in, exporting the torch encoder's query graph while torch is loaded: searches need none
        embedder.encode_query("warm up")
        started = time.perf_counter()
        with tqdm(total=len(todo), desc="Embedding", unit="text", disable=not progress, leave=False) as bar:
            fresh = embedder.encode_documents(todo, settings.batch_size, bar.update)
        report.embed_seconds = time.perf_counter() - started
        new = set(todo)
        report.embedded = sum(1 for p in paragraphs if p.text in new)
        report.sentences_embedded = sum(1 for text in texts[len(paragraphs):] if text in new)
    report.precisions = sorted(precisions)
    return fresh


def _lookup(texts: list[str]) -> tuple[list[str], dict[str, int]]:
    """``texts`` row by row, and text -> a row holding it: a source of vectors as ``_picks`` reads it."""
    return texts, {text: row for row, text in enumerate(texts)}


def _picks(texts: list[str], known: list[tuple[list[str], dict[str, int]]]) -> tuple[np.ndarray, np.ndarray]:
    """For each text, a source that has it (one of ``known``: its texts, row by row, and text -> a row)
    and its row there: the row after the last text's where that holds the same text, so that what did not
    change stays runs of consecutive rows, each copied at once; else the first source's with the text."""
    which, rows = np.zeros(len(texts), np.int64), np.zeros(len(texts), np.int64)
    source, row = 0, -1
    for n, text in enumerate(texts):
        before = known[source][0]
        if row + 1 < len(before) and before[row + 1] == text:
            row += 1
        else:
            source, row = next((number, found[text]) for number, (_, found) in enumerate(known) if text in found)
        which[n], rows[n] = source, row
    return which, rows


def _write_manifest(folder, number, settings, paths, fingerprint, dimension, documents, paragraphs, sources,
                    report) -> None:
    keys = {s.file.source: s.key for s in sources}
    counts = Counter(p.doc_id for p in paragraphs)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "generation": number,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": {"name": settings.model_name(), "encoder": settings.encoder, "dimension": dimension,
                  "precision": report.precisions, **({"int8": quantise.RECIPE} if settings.encoder == "onnx" else {})},
        "keyword": {"engine": settings.keyword_engine},
        "counts": {"documents": report.documents, "paragraphs": report.paragraphs,
                   "skipped": len(report.skipped) - len(report.failed), "failed": len(report.failed)},
        "corpus": {"roots": [str(p) for p in paths], "fingerprint": fingerprint},
        "run": {"added": report.added, "removed": report.removed, "embedded": report.embedded,
                "sentences_embedded": report.sentences_embedded, "folded": report.folded},
        "files": {
            "indexed": [{"source": d.source, "doc_id": d.doc_id, "key": keys[d.source],
                         "paragraphs": counts[d.doc_id]} for d in documents],
            "skipped": [vars(s) for s in report.skipped],
        },
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _up_to_date(manifest: dict, generation: str, index_dir: Path, started: float) -> BuildReport:
    """The report of a run that found nothing to do: read from the manifest, no index loaded."""
    return BuildReport(index_dir, manifest["counts"]["documents"], manifest["counts"]["paragraphs"],
                       [Skipped(**s) for s in manifest["files"]["skipped"]], generation,
                       up_to_date=True, seconds=time.perf_counter() - started)


def _fresh(manifest: dict, settings: Settings, fingerprint: str) -> bool:
    """Whether the current generation already is what this run would build (read from its manifest alone)."""
    return (manifest.get("schema_version") == SCHEMA_VERSION
            and manifest.get("model", {}).get("name") == settings.model_name()
            and encoder_of(manifest) == settings.encoder
            and keyword_engine_of(manifest) == settings.keyword_engine
            and manifest.get("corpus", {}).get("fingerprint") == fingerprint)


def _fingerprint(sources: list[_Source], skipped: list[Skipped], settings: Settings) -> str:
    """Changes when anything that decides the index content changes: files, reasons, OCR."""
    digest = hashlib.sha256(f"{SCHEMA_VERSION}\0{settings.model_name()}\0ocr={settings.ocr}\n".encode())
    for source in sorted(sources, key=lambda s: s.file.source):
        digest.update(f"{source.file.source}\0{source.key}\n".encode())
    for item in sorted(skipped, key=lambda s: s.source):
        digest.update(f"skipped\0{item.source}\0{item.reason}\n".encode())
    return digest.hexdigest()


@contextmanager
def _locked(index_dir: Path):
    """One build at a time per index folder; a second one says so and waits. A killed build's lock is
    freed by the OS."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "LOCK", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Waiting for the index run already under way in {index_dir} to finish…", file=sys.stderr,
                  flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
