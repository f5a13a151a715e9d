"""The index on disk: a folder of generations, one of them current, each with a manifest.

    <index_dir>/CURRENT            name of the live generation, replaced atomically
    <index_dir>/gen-000003/        manifest.json, documents.jsonl, paragraphs.npy, texts.bin, table.json,
                                   keyword/, vectors.npy, sentences.npy, sentence_first.npy,
                                   sentence_spans.npy, duplicates.json, groups.npy, ledger.json
    <index_dir>/gen-000004.partial a build in progress (removed if the build dies)

A build writes a whole new generation and only then points CURRENT at it, so a
run that fails or is killed leaves the previous index intact and searchable.
The two generations before the current one are kept, so that a server still
answering a request from one of them never finds its files gone.
``Index.open`` checks the manifest against this code and the configured model
and refuses a mismatch with a message saying how to re-index.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path

import numpy as np

from . import checksums, keyword, ondisk, quantise, sentences, vectors
from .columns import Columns
from .config import SETTINGS, Settings
from .encoders import open_encoder
from .errors import DocumentNotFound, IndexMismatchError, IndexMissingError
from .records import Document, Paragraph
from .table import Paragraphs, open_table

SCHEMA_VERSION = 14  # 14: every text Unicode-normalised, without control or direction characters
EARLIER_INT8 = "onnx (an earlier int8 recipe)"
DUPLICATES = "duplicates.json"  # the keys of each pair of near-identical paragraphs of different documents
GROUPS = "groups.npy"  # each paragraph's group of near-identical ones (``duplicates.numbered``), -1 for none
SENTENCE_FIRST = "sentence_first.npy"  # where each paragraph's sentence vectors start, and one past the last
SENTENCE_SPANS = "sentence_spans.npy"  # (start, end) of each sentence vector's text in its paragraph's
DEFAULT_INDEX_DIR = Path(next(s.default for s in SETTINGS if s.name == "index_dir"))
KEEP_PREVIOUS = 2
QUERY_CACHE = 256  # query vectors kept, for paging and filtering the recent searches
_GENERATION = re.compile(r"^gen-(\d{6})(\.partial)?$")


class IndexFolder:
    """The generations under one index directory."""

    def __init__(self, root: Path):
        self.root = root

    def current_name(self) -> str | None:
        """The name CURRENT points to: cheap enough to read on every request."""
        try:
            return (self.root / "CURRENT").read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def current(self) -> Path | None:
        name = self.current_name()
        path = self.root / name if name else None
        return path if path and _GENERATION.match(name) and path.is_dir() else None

    def manifest(self) -> dict | None:
        """The current generation's manifest, or None when there is none or it is unreadable."""
        current = self.current()
        try:
            return json.loads((current / "manifest.json").read_text(encoding="utf-8")) if current else None
        except (OSError, ValueError):
            return None

    def status(self, settings: Settings) -> tuple[dict, str | None]:
        """(current manifest, why it cannot be searched or None); raises IndexMissingError."""
        current, manifest = self.current(), self.manifest()
        if current is None or manifest is None:
            raise IndexMissingError(f"No usable index in {self.root}; build one with: {index_command(self.root)}")
        try:
            _check_manifest(manifest, settings, current)
        except IndexMismatchError as error:
            return manifest, str(error)
        return manifest, None

    def vector_cache(self, settings: Settings) -> "Generation | None":
        """The current generation when it was embedded by the configured model, whatever its schema.

        Embeddings depend on the model and the encoder alone, so a change of index schema
        (say, a new keyword analyser) need not embed everything again; the
        build updates the generation in place only when the schema matches too.
        """
        current, manifest = self.current(), self.manifest()
        model = (manifest or {}).get("model", {})
        if current is None or model.get("name") != settings.model_name() or encoder_of(manifest) != settings.encoder:
            return None
        if manifest.get("schema_version") == SCHEMA_VERSION and (damaged := checksums.problem(current, whole=True)):
            print(f"{damaged}; nothing of {current.name} is reused: every file is read and embedded again",
                  file=sys.stderr, flush=True)
            return None
        try:
            return Generation(current, manifest)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def begin(self) -> tuple[int, Path]:
        """Clear leftovers of killed builds and make the folder for the next generation."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [0]
        for child in self.root.iterdir():
            match = _GENERATION.match(child.name)
            if match and match.group(2):
                shutil.rmtree(child, ignore_errors=True)
            elif match:
                numbers.append(int(match.group(1)))
        number = max(numbers) + 1
        partial = self.root / f"gen-{number:06d}.partial"
        partial.mkdir()
        return number, partial

    def discard(self, partial: Path) -> None:
        """Remove an unfinished build (nothing when it was published)."""
        shutil.rmtree(partial, ignore_errors=True)

    def publish(self, number: int, partial: Path) -> Path:
        """Make a complete generation current in one atomic step; keep the KEEP_PREVIOUS before it."""
        final = self.root / f"gen-{number:06d}"
        _fsync_tree(partial)
        partial.rename(final)
        pointer = self.root / "CURRENT.tmp"
        with open(pointer, "w", encoding="utf-8") as handle:
            handle.write(final.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer, self.root / "CURRENT")
        _fsync_dir(self.root)
        for child in self.root.iterdir():
            match = _GENERATION.match(child.name)
            if match and not match.group(2) and int(match.group(1)) < number - KEEP_PREVIOUS:
                shutil.rmtree(child, ignore_errors=True)
        return final


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        else:
            _fsync_dir(path)
    _fsync_dir(root)


class Generation:
    """A complete generation's documents, paragraphs and vectors, as the next build reuses them.

    ``sentence_vectors`` holds one row per sentence of each paragraph of several
    sentences, in paragraph order.
    """

    def __init__(self, folder: Path, manifest: dict):
        self.folder = folder
        self.manifest = manifest
        self.documents: dict[str, Document] = {}
        self.lines: dict[str, bytes] = {}  # doc id -> its line of documents.jsonl, for the next build to copy
        with open(folder / "documents.jsonl", "rb") as handle:
            for line in handle:
                doc = Document.from_json(json.loads(line))
                self.documents[doc.doc_id] = doc
                self.lines[doc.doc_id] = line
        self.paragraphs: list[Paragraph] = [p for d in self.documents.values() for p in d.paragraphs()]
        self.vectors = vectors.load(folder / "vectors.npy")
        saved = folder / "sentences.npy"  # absent from generations of schema 5 and before
        self.sentence_vectors = vectors.load(saved) if saved.exists() else np.zeros((0, self.vectors.shape[1]))

    def duplicate_pairs(self) -> list[tuple[str, str]]:
        """The keys of each pair of near-identical paragraphs (see ``duplicates``)."""
        return [tuple(pair) for pair in json.loads((self.folder / DUPLICATES).read_text(encoding="utf-8"))]

    def embedded(self) -> tuple[list[str], list[str], dict[str, list[list[int]]]]:
        """The text of each row of ``vectors`` and of ``sentence_vectors`` (none where the rows do not
        match the paragraphs, as before sentence vectors), and each paragraph text's sentence spans: so that
        unchanged text is neither embedded nor split again (splitting 100,000 paragraphs takes seconds)."""
        spans = self._spans()
        pieces = [p.text[start:end] for p, found in zip(self.paragraphs, spans) for start, end in found]
        return ([p.text for p in self.paragraphs] if len(self.vectors) == len(self.paragraphs) else [],
                pieces if len(pieces) == len(self.sentence_vectors) else [],
                {p.text: found for p, found in zip(self.paragraphs, spans)})

    def _spans(self) -> list[list[list[int]]]:
        """Each paragraph's sentence spans (start, end), as saved (schema 10 on) or, before, found again."""
        try:
            first = np.load(self.folder / SENTENCE_FIRST).tolist()
            saved = np.load(self.folder / SENTENCE_SPANS).tolist()
        except OSError:
            first, saved = [], []
        if len(first) != len(self.paragraphs) + 1 or first[-1] != len(saved):
            return [sentences.spans(p.text) for p in self.paragraphs]
        return [saved[start:end] for start, end in zip(first, first[1:])]


class Index:
    """An opened generation for searching: paragraphs by row (``table``), their vectors, the keyword index,
    near-identical groups, facet columns, the embedder.

    What grows with the corpus is read as arrays or left on disk: the texts, the
    documents' blocks and the sentence vectors are read when a search shows or
    blends them (``ondisk``).
    """

    def __init__(self, settings: Settings, folder: Path, manifest: dict):
        self.settings, self.folder, self.manifest = settings, folder, manifest
        self.documents, self.paragraphs = open_table(folder)
        self.vectors = vectors.load(folder / "vectors.npy")
        self.sentence_vectors = ondisk.Rows(folder / "sentences.npy")
        # paragraph row's sentence vectors are sentence_first[row]:sentence_first[row + 1]
        self.sentence_first = np.load(folder / SENTENCE_FIRST)
        self.group = np.load(folder / GROUPS)  # row -> its group of near-identical paragraphs, -1 for none
        self.twinned = np.flatnonzero(self.group >= 0)
        self.grouped = self.twinned[np.argsort(self.group[self.twinned], kind="stable")]  # by group, then row
        self.grouped_by = self.group[self.grouped]
        self.columns = Columns(self.paragraphs)
        self.titles = dict(zip(self.documents.ids, (meta.title for meta in self.documents.metas)))  # document facet
        self._labelled = _labelled(self.paragraphs)  # "recommendation 9" -> the rows of every item so labelled
        # one pattern for them all, longest first, so a query is read once however many labels there are
        labels = sorted(map(re.escape, self._labelled), key=len, reverse=True)
        self._label_pattern = re.compile(rf"(?<!\w)(?:{'|'.join(labels)})(?!\w|\.\d)") if labels else None
        self.keyword = keyword.engine(keyword_engine_of(manifest)).KeywordIndex(folder / "keyword")
        # paging, filtering and re-sorting a search embed its query once; the cache is thread-safe
        self.embed_query = functools.lru_cache(maxsize=QUERY_CACHE)(self._embed_query)
        self._check()

    @functools.cached_property
    def embedder(self):
        """The encoder of the generation's model, made when a query first needs it: a build reading the
        generation it writes (for the ledger) makes none."""
        return open_encoder(self.settings, encoder_of(self.manifest))

    @classmethod
    def open(cls, settings: Settings, whole: bool = False) -> "Index":
        """Open the current generation, its files checked against their checksums (those of every file when
        ``whole``, else the small ones'); raises IndexMissingError or IndexMismatchError."""
        index_folder = IndexFolder(settings.index_dir)
        current = index_folder.current()
        if current is None:
            raise IndexMissingError(f"No index in {settings.index_dir}; "
                                    f"build one with: {index_command(settings.index_dir)}")
        manifest = index_folder.manifest()
        if manifest is None:
            raise IndexMismatchError(f"{current}: manifest.json is missing or damaged; {_rebuild(current)}")
        _check_manifest(manifest, settings, current)
        if damaged := checksums.problem(current, whole):
            raise IndexMismatchError(f"{damaged}; {_rebuild(current)}")
        try:
            return cls(settings, current, manifest)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise IndexMismatchError(f"{current}: index files are unreadable ({error}); {_rebuild(current)}") from None

    def _check(self) -> None:
        counts = self.manifest["counts"]
        expected = (counts["paragraphs"], self.manifest["model"]["dimension"])
        actual = {
            "paragraphs in the table": len(self.paragraphs),
            "near-identical groups' rows": len(self.group),
            "keyword index entries": self.keyword.doc_count,
        }
        for what, count in actual.items():
            if count != expected[0]:
                raise IndexMismatchError(f"{self.folder}: {count} {what}, manifest says {expected[0]}; "
                                         f"{_rebuild(self.folder)}")
        if self.vectors.shape != expected:
            raise IndexMismatchError(f"{self.folder}: vectors are {self.vectors.shape}, manifest says {expected}; "
                                     f"{_rebuild(self.folder)}")
        split = int(self.sentence_first[-1]) if len(self.sentence_first) == expected[0] + 1 else -1
        if self.sentence_vectors.shape != (split, expected[1]):
            raise IndexMismatchError(f"{self.folder}: {len(self.sentence_vectors)} sentence vectors for "
                                     f"{split} sentences; {_rebuild(self.folder)}")

    def document(self, doc_id: str) -> Document:
        try:
            return self.documents[doc_id]
        except KeyError:
            raise DocumentNotFound(f"No document with id {doc_id!r} in the index") from None

    def neighbours(self, row: int) -> tuple[Paragraph | None, Paragraph | None]:
        """The paragraphs just before and after ``row`` in its document (rows are in reading order)."""
        document = self.paragraphs.document
        return (self.paragraphs[row - 1] if row > 0 and document[row - 1] == document[row] else None,
                self.paragraphs[row + 1] if row + 1 < len(document) and document[row + 1] == document[row] else None)

    def twins(self, row: int) -> tuple[int, ...]:
        """The rows of the paragraphs near-identical to ``row`` in other documents, in order; a report that
        repeats its recommendations in a closing summary keeps both places, which a citation must tell apart."""
        group = self.group[row]
        if group < 0:
            return ()
        start, end = np.searchsorted(self.grouped_by, [group, group + 1])
        document = self.paragraphs.document
        return tuple(other for other in self.grouped[start:end].tolist() if document[other] != document[row])

    def named(self, query: str) -> set[int]:
        """The rows of the items ``query`` names by their label ("Recommendation 9", "AFI 1")."""
        if self._label_pattern is None:
            return set()
        text = " ".join(query.lower().split())
        return {row for found in self._label_pattern.findall(text) for row in self._labelled[found]}

    def _embed_query(self, text: str) -> np.ndarray:
        vector = self.embedder.encode_query(text)
        vector.setflags(write=False)  # shared by every search the cache answers
        return vector

    def similarities(self, query: np.ndarray, eligible: np.ndarray | None = None, depth: int = 100) -> np.ndarray:
        """Every paragraph's semantic score for a query vector: the nearest ones, of those ``eligible``, blended
        with their nearest sentence (see ``vectors.scores``)."""
        return vectors.scores(self.vectors, self.sentence_vectors, self.sentence_first, query,
                              self.settings.sentence_weight, eligible, max(vectors.BLENDED, 10 * depth))

    def nearest_sentence(self, row: int, query: np.ndarray) -> tuple[int, int]:
        """The span of the sentence of paragraph ``row`` nearest the query (all of a one-sentence paragraph)."""
        text = self.paragraphs[row].text
        found = sentences.spans(text)
        if not found:
            return 0, len(text)
        first = self.sentence_first[row]
        return found[int(np.argmax(self.sentence_vectors[first:first + len(found)] @ query))]

    def warm(self) -> None:
        """Load the model and run one query, so the first real query is as fast as the rest."""
        self.embed_query("warm up")
        with self.keyword.reader() as reader:
            reader.warm()


def _labelled(paragraphs: Paragraphs) -> dict[str, list[int]]:
    """Each label as a query reads it ("recommendation 9") -> the rows of every item so labelled, in order."""
    codes = paragraphs.records["label"]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(paragraphs.labels) + 1))
    labelled: dict[str, list[int]] = {}
    for code, label in enumerate(paragraphs.labels):
        labelled.setdefault(" ".join(label.lower().split()), []).extend(order[bounds[code]:bounds[code + 1]].tolist())
    return {label: sorted(rows) for label, rows in labelled.items()}


def check_whole(index_dir: Path) -> None:
    """Raise IndexMismatchError naming the first damaged file of the current generation, every file's checksum
    read: what a server does once as it starts (its processes then open the index with the light check)."""
    folder = IndexFolder(index_dir)
    current, manifest = folder.current(), folder.manifest()
    if current and manifest and manifest.get("schema_version") == SCHEMA_VERSION:
        if damaged := checksums.problem(current, whole=True):
            raise IndexMismatchError(f"{damaged}; {_rebuild(current)}")


def encoder_of(manifest: dict) -> str:
    """The encoder that embedded a generation's vectors: torch for those built before encoders had names, and
    ``EARLIER_INT8`` for the onnx encoder's int8 vectors of another recipe than this code's: neither reused nor
    searched, so that they are never compared with this one's."""
    model = manifest.get("model", {})
    name = model.get("encoder", "torch")
    return EARLIER_INT8 if name == "onnx" and model.get("int8") != quantise.RECIPE else name


def keyword_engine_of(manifest: dict) -> str:
    """The engine of a generation's keyword index (whoosh, for those built before there was a choice)."""
    return manifest.get("keyword", {}).get("engine", "whoosh")


def index_command(index_dir: Path, rebuild: bool = False) -> str:
    """The command that (re)builds the index in ``index_dir``, naming it unless it is the default one,
    so that following a hint builds the index that was asked about."""
    words = ["precedent index", *(["--rebuild"] if rebuild else [])]
    if Path(index_dir) != DEFAULT_INDEX_DIR:
        words.append(f"--index-dir {shlex.quote(str(index_dir))}")
    return " ".join(words)


def _rebuild(generation: Path) -> str:
    """The hint for a generation that cannot be read: rebuild the index it belongs to."""
    return f"rebuild with: {index_command(generation.parent, rebuild=True)}"


def _check_manifest(manifest: dict, settings: Settings, folder: Path) -> None:
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"{folder}: index schema version {version}, this Precedent reads {SCHEMA_VERSION}; {_rebuild(folder)}"
        )
    if encoder_of(manifest) == EARLIER_INT8:
        raise IndexMismatchError(f"{folder}: its vectors were made by an earlier version of the onnx encoder; "
                                 f"{_rebuild(folder)}")
    built_with = manifest.get("model", {}).get("name")
    if built_with != settings.model_name():
        raise IndexMismatchError(
            f"{folder}: index was built with model {built_with}, but the configured model is "
            f"{settings.model_name()}; {_rebuild(folder)}"
        )
