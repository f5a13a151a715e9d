"""The ledger's records, worked out once at index time from the paragraphs' roles, labels and vectors.

An item is a run of item paragraphs in one document (a recommendation and its
points), plus the paragraphs a response quotes of it without numbering them
(near-identical to the report's). The places of one item are one record: within
an inspection (``inspections``), those with near-identical text, and those
with the same label unless a document holds both under different labels (a
Government response renumbers: its "Recommendation 4" is the report's
paragraph 10, not its paragraph 4).

A record's replies are, best first: those each document links to it (``links``:
under its heading, by its label, as "the AFI", in the letter's order); then the
paragraphs of the inspection's other responses that name its label; then, in a
response that does neither, the paragraphs nearest it by hybrid similarity
(meaning and shared words, fused by reciprocal rank, as a search fuses them),
the best ``CANDIDATES`` of them. Its status is read from the replies sure
enough to count (``verdicts``). Records of different inspections with
near-identical text recur (``duplicates`` decides near-identical, as for
paragraphs).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import clock, duplicates, ledger
from .config import Settings
from .fusion import rrf
from .inspections import Inspection, inspections
from .ledger import Place, Record, Reply
from .links import ITEMS, LIKELY, SURE, Link, links
from .store import Index
from .verdicts import verdict

CANDIDATES = 3  # replies found by similarity kept for an item, best first
SIMILAR = 0.3  # cosine below which a paragraph is not offered as a reply at all
_WORD = re.compile(r"[a-z]{3,}")


def itemise(index: Index) -> tuple[list[Inspection], list[Record]]:
    """Every inspection of the index, and every item of them as one record each, in reading order."""
    found = inspections(index)
    records = [record for inspection in found for record in _records(index, inspection)]
    return found, _recurring(index, records)


def _records(index: Index, inspection: Inspection) -> list[Record]:
    units, quoted = _units(index, inspection)
    items = {row for unit in units for row in unit}
    linked = [link for doc_id in inspection.documents for link in links(index, doc_id, frozenset(quoted.get(doc_id, ())))
              if link.response not in items]
    claimed = {link.response for link in linked if link.how in SURE}  # answers to an item by its name or heading
    records = []
    for group in _merged(index, units):
        places = sorted(group, key=lambda unit: (inspection.documents.index(_doc(index, unit)), unit[0]))
        first = index.paragraphs[places[0][0]]
        text = max(("\n\n".join(index.paragraphs[row].text for row in unit) for unit in places), key=len)
        replies = _replies(index, inspection, places, items | claimed, linked)
        status, words = verdict([index.paragraphs[row].text for row, _, sure in replies if sure >= LIKELY])
        records.append(Record(first.key, inspection.id, first.role, first.label, text,
                              tuple(Place(_doc(index, unit), tuple(index.paragraphs[r].paragraph for r in unit),
                                          index.paragraphs[unit[0]].label) for unit in places),
                              clock.deadline(text, inspection.published),
                              tuple(Reply(index.paragraphs[row].doc_id, index.paragraphs[row].paragraph, how, sure)
                                    for row, how, sure in replies), status, words))
    return records


def _doc(index: Index, unit: list[int]) -> str:
    return index.documents.ids[index.paragraphs.document[unit[0]]]


def _units(index: Index, inspection: Inspection) -> tuple[list[list[int]], dict[str, set[int]]]:
    """Each item as it stands in each document (its rows), and the rows of each document that quote an
    item of another without being marked an item."""
    own = {doc_id: index.paragraphs.rows_of(doc_id) for doc_id in inspection.documents}
    items = {row for rows in own.values() for row in rows if index.paragraphs[row].role in ITEMS}
    units, quoted, current = [], {}, None
    for doc_id, rows in own.items():
        for row in rows:
            p = index.paragraphs[row]
            if p.role in ITEMS and current and current[-1] == row - 1 and p.label and \
                    p.label == index.paragraphs[current[0]].label:
                current.append(row)  # the rest of the item, or one of its points
            elif p.role in ITEMS:
                current = [row]
                units.append(current)
            elif current and current[-1] == row - 1 and any(twin in items for twin in index.twins(row)):
                current.append(row)  # quoted from the item's place in another document
                quoted.setdefault(doc_id, set()).add(row)
            else:
                current = None
    return units, quoted


def _merged(index: Index, units: list[list[int]]) -> list[list[list[int]]]:
    """The units grouped into records: near-identical text first, then the same label where no document
    holds the two under different labels."""
    unit_of = {row: n for n, unit in enumerate(units) for row in unit}
    parent = list(range(len(units)))

    def root(n: int) -> int:
        while parent[n] != n:
            n = parent[n]
        return n

    for n, unit in enumerate(units):
        for row in unit:
            for twin in index.twins(row):
                if twin in unit_of and root(unit_of[twin]) != root(n):
                    parent[root(unit_of[twin])] = root(n)
    label = [index.paragraphs[unit[0]].label for unit in units]
    for n in range(len(units)):
        for m in range(n):
            if label[n] and label[n] == label[m] and root(n) != root(m) and \
                    _agree(index, units, label, [k for k in range(len(units)) if root(k) in (root(n), root(m))]):
                parent[root(n)] = root(m)
    groups: dict[int, list[list[int]]] = {}
    for n, unit in enumerate(units):
        groups.setdefault(root(n), []).append(unit)
    return list(groups.values())


def _agree(index: Index, units: list[list[int]], label: list[str | None], together: list[int]) -> bool:
    """Whether the units could be one item: no document would hold it under two labels."""
    seen: dict[str, str | None] = {}
    for n in together:
        doc_id = _doc(index, units[n])
        if seen.setdefault(doc_id, label[n]) != label[n]:
            return False
    return True


def _replies(index: Index, inspection: Inspection, places: list[list[int]], taken: set[int],
             linked: list[Link]) -> list[tuple[int, str, float]]:
    """(row, how found, confidence) of the paragraphs that answer the item of ``places``, best first (see the
    module's docstring); ``taken`` rows are items, or answer another item by name or heading."""
    mine = {row for unit in places for row in unit}
    found: dict[int, tuple[str, float]] = {}
    for link in linked:
        if link.item in mine:
            found.setdefault(link.response, (link.how, link.confidence))
    label = index.paragraphs[places[0][0]].label
    for response in inspection.responses:
        rows = index.paragraphs.rows_of(response.doc_id)
        if any(row in found for row in rows):
            continue
        others = [row for row in rows if row not in taken and index.paragraphs[row].role != "summary"]
        own_labels = {index.paragraphs[row].label for row in rows if index.paragraphs[row].role in ITEMS}
        named = [row for row in others if label not in own_labels and mine & index.named(index.paragraphs[row].text)]
        for row in named:
            found[row] = ("label", SURE["label"])
        if not named:
            for row, likeness in _similar(index, places[0], others):
                found[row] = ("similarity", likeness)
    order = {doc_id: n for n, doc_id in enumerate(inspection.documents)}
    ranked = sorted(found, key=lambda row: (-found[row][1], order[index.paragraphs[row].doc_id], row))
    return [(row, *found[row]) for row in ranked]


def _similar(index: Index, unit: list[int], rows: list[int]) -> list[tuple[int, float]]:
    """The best CANDIDATES of ``rows`` for answering the item of ``unit``, with their cosine to it: ranked
    by meaning (paragraph and nearest sentence, as a search scores them) and by shared words, fused."""
    if not rows:
        return []
    query = np.asarray(index.vectors[unit]).sum(axis=0)
    query = query / (np.linalg.norm(query) or 1.0)
    eligible = np.zeros(len(index.paragraphs), dtype=bool)
    eligible[rows] = True
    meaning = index.similarities(query, eligible)
    cosine = {row: float(meaning[row]) for row in rows}
    by_meaning = sorted(rows, key=lambda row: -cosine[row])
    wanted = {word for row in unit for word in _WORD.findall(index.paragraphs[row].text.lower())}
    texts = {row: set(_WORD.findall(index.paragraphs[row].text.lower())) for row in rows}
    spread = Counter(word for words in texts.values() for word in words)
    shared = {row: sum(math.log(1 + len(rows) / spread[w]) for w in texts[row] if w in wanted) for row in rows}
    by_words = sorted((row for row in rows if shared[row]), key=lambda row: -shared[row])
    fused = [row for row, _ in rrf([by_meaning, by_words]) if cosine[row] >= SIMILAR]
    return [(row, round(cosine[row], 3)) for row in fused[:CANDIDATES]]


def _recurring(index: Index, records: list[Record]) -> list[Record]:
    """The records with ``recurs`` set where near-identical records of other inspections exist."""
    if len(records) < 2:
        return records
    rows = [index.paragraphs.row(record.id) for record in records]
    vectors = np.asarray(index.vectors[rows])
    pairs = duplicates.pairs([record.text for record in records], vectors, [record.inspection for record in records])
    group = duplicates.numbered(len(records), pairs)
    return [record if group[n] < 0 else replace(record, recurs=int(group[n])) for n, record in enumerate(records)]


def write(folder: Path, settings: Settings) -> None:
    """Work out the ledger of a generation that is written but not yet published, and keep it there."""
    index = Index(settings, folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8")))
    ledger.write(folder, *itemise(index))
