"""A generation's documents and paragraphs as a search reads them: by row, only those it shows.

Opening an index used to read documents.jsonl into objects: 1.3 s and 170 MB at
100,000 paragraphs, growing with the corpus, for a search that needs a few fields
of every row (its document, role and label) and the text of the ten it shows. So a
build writes, beside documents.jsonl:

    paragraphs.npy  one record per paragraph, in reading order: its document, number, page,
                    role, label and section (as numbers of table.json's lists) and where its text is
    texts.bin       the paragraphs' texts, UTF-8, end to end
    table.json      each document's id, source and metadata, where its line of documents.jsonl
                    starts; the sections, labels and roles the records number

An opened index keeps the records and table.json in memory, and reads a
paragraph's text, or a whole document, from disk when asked for (``ondisk``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from . import ondisk
from .records import Document, Metadata, Paragraph

DOCUMENTS, RECORDS, TEXTS, TABLE = "documents.jsonl", "paragraphs.npy", "texts.bin", "table.json"
RECORD = np.dtype([("document", "<i4"), ("paragraph", "<i4"), ("page", "<i4"), ("role", "<i4"), ("label", "<i4"),
                   ("section", "<i4"), ("start", "<i8"), ("end", "<i8")])  # -1: no page, label or section
RECENT = 4096  # paragraphs kept read: an inspection's, while the ledger is worked out


def write(folder: Path, documents: list[Document], known: dict[str, bytes]) -> None:
    """Write ``documents`` to documents.jsonl (where ``known`` has a document's line, as it is) and their
    paragraphs to the table, in reading order."""
    strings: dict[str, dict[str, int]] = {"sections": {}, "labels": {}, "roles": {}}  # value -> its number
    entries, starts, records, at = [], [0], [], 0
    with open(folder / DOCUMENTS, "wb") as jsonl, open(folder / TEXTS, "wb") as texts:
        for number, doc in enumerate(documents):
            entries.append({"doc_id": doc.doc_id, "source": doc.source, "meta": asdict(doc.meta)})
            line = known.get(doc.doc_id) or (json.dumps(doc.to_json(), ensure_ascii=False) + "\n").encode()
            starts.append(starts[-1] + jsonl.write(line))
            for p in doc.paragraphs():
                size = texts.write(p.text.encode())
                records.append((number, p.paragraph, -1 if p.page is None else p.page, _number(strings["roles"], p.role),
                                _number(strings["labels"], p.label), _number(strings["sections"], p.section),
                                at, at + size))
                at += size
    np.save(folder / RECORDS, np.array(records, dtype=RECORD))
    table = {"documents": entries, "lines": starts, **{name: list(found) for name, found in strings.items()}}
    (folder / TABLE).write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")


def _number(numbers: dict[str, int], value: str | None) -> int:
    return -1 if value is None else numbers.setdefault(value, len(numbers))


def open_table(folder: Path) -> tuple["Documents", "Paragraphs"]:
    """A generation's documents and paragraphs; raises OSError, ValueError or KeyError for damaged files."""
    table = json.loads((folder / TABLE).read_text(encoding="utf-8"))
    documents = Documents(folder / DOCUMENTS, table)
    return documents, Paragraphs(folder, table, documents)


class Documents(Mapping):
    """Each document by id: its source and metadata in memory, its blocks read from documents.jsonl when
    it is looked up. ``ids[n]`` is document number ``n``."""

    def __init__(self, path: Path, table: dict):
        self.path = path
        self.ids = [entry["doc_id"] for entry in table["documents"]]
        self.sources = [entry["source"] for entry in table["documents"]]
        self.metas = [Metadata(**entry["meta"]) for entry in table["documents"]]
        self.number = {doc_id: n for n, doc_id in enumerate(self.ids)}
        self._lines = table["lines"]

    def __getitem__(self, doc_id: str) -> Document:
        n = self.number[doc_id]
        line = ondisk.read(self.path, self._lines[n], self._lines[n + 1] - self._lines[n])
        return Document.from_json(json.loads(line))

    def __iter__(self):
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def meta(self, doc_id: str) -> Metadata:
        """A document's metadata, without reading it; raises KeyError."""
        return self.metas[self.number[doc_id]]


class Paragraphs(Sequence):
    """Every paragraph by row; ``paragraphs[row]`` reads its text. ``document[row]`` is its document's number
    and ``records`` the rest of its fields, for reading them all at once."""

    def __init__(self, folder: Path, table: dict, documents: Documents):
        self.records = np.load(folder / RECORDS)
        self.documents = documents
        self.document = np.ascontiguousarray(self.records["document"])
        self.sections, self.labels, self.roles = table["sections"], table["labels"], table["roles"]
        self._first = np.searchsorted(self.document, np.arange(len(documents) + 1))  # document n: _first[n]:_first[n + 1]
        self._texts = folder / TEXTS
        # the ledger's build reads an inspection's paragraphs once for each of its items: 1,000,000 reads at
        # 100,000 paragraphs, each opening the file; a page of results reads its rows again for neighbours
        self._read = functools.lru_cache(maxsize=RECENT)(self._read_row)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, row: int) -> Paragraph:
        return self._read(row)

    def _read_row(self, row: int) -> Paragraph:
        record = self.records[row].item()
        return self._paragraph(record, ondisk.read(self._texts, record[-2], record[-1] - record[-2]).decode())

    def __iter__(self):
        """Every paragraph, the texts read in one go."""
        texts = self._texts.read_bytes()
        for record in self.records.tolist():
            yield self._paragraph(record, texts[record[-2]:record[-1]].decode())

    def rows_of(self, doc_id: str) -> range:
        """The rows of a document's paragraphs (rows are in reading order); raises KeyError."""
        n = self.documents.number[doc_id]
        return range(int(self._first[n]), int(self._first[n + 1]))

    def row(self, key: str) -> int:
        """The row of the paragraph of ``key`` ("doc#p3", ``Paragraph.key``); raises KeyError."""
        doc_id, _, number = key.rpartition("#p")
        rows = self.rows_of(doc_id)
        found = np.flatnonzero(self.records["paragraph"][rows.start:rows.stop] == int(number)) \
            if number.isdigit() else []
        if not len(found):
            raise KeyError(key)
        return rows.start + int(found[0])

    def _paragraph(self, record: tuple, text: str) -> Paragraph:
        document, number, page, role, label, section, _, _ = record
        meta = self.documents.metas[document]
        return Paragraph(self.documents.ids[document], number, text, self.sections[section] if section >= 0 else None,
                         meta.title, meta.date, self.documents.sources[document], page if page >= 0 else None,
                         self.roles[role], self.labels[label] if label >= 0 else None)
