"""The ledger's records, worked out once at index time from the paragraphs' roles, labels and vectors.

An item is a run of item paragraphs in one document (a recommendation and its
points), plus the paragraphs after it that a response quotes of it without
numbering them (near-identical to one of the report's, or a piece of its words:
a response may split a one-paragraph recommendation in two). The places of one
item are one record: within an inspection (``inspections``), those with
near-identical text or quoting the other's words, and those with the same label
unless a document holds both under different labels (a Government response
renumbers: its "Recommendation 4" is the report's paragraph 10, not its 4).

A record's replies are, best first: those each document links to it (``links``:
under its heading, by its label, as "the AFI", in the letter's order); then the
paragraphs of the inspection's other responses that name its label; then, in a
response that does neither and quotes no items (one that quotes those it
answers leaves the rest unanswered), the paragraphs nearest it by hybrid
similarity (meaning and shared words, fused by reciprocal rank, as a search
fuses them), the best ``CANDIDATES`` of them that no other item claims by
heading or name. Its status is read (``verdicts``) from the replies found by
heading, name or order, else from the likeliest similar one, when they are
sure enough (``links.LIKELY``). Records of different inspections with
near-identical text recur (``duplicates`` decides near-identical, as for
paragraphs).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from dataclasses import asdict, replace
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
QUOTED = 60  # letters and digits from which a text found word for word in another is quoting it
_WORD = re.compile(r"[a-z]{3,}")
# the modules whose code decides a record: a record worked out by other code is worked out again
_CODE = ("itemise", "inspections", "links", "verdicts", "clock", "duplicates", "fusion", "ledger")


def itemise(index: Index, earlier: ledger.Worked | None = None) -> ledger.Worked:
    """Every inspection of the index and every item of them as one record each, in reading order. The
    records of an inspection ``earlier`` (a previous generation's ledger) worked out from the same things
    (``made_from``) are taken as they are: re-indexing one document of 100,000 paragraphs otherwise worked
    out 1,100 inspections again to change one."""
    found = inspections(index)
    shared = _shared(index)
    keys = {entry["doc_id"]: entry["key"] for entry in index.manifest["files"]["indexed"]}
    sources = {inspection.id: made_from(index, inspection, shared, keys) for inspection in found}
    before: dict[str, list[Record]] = {}  # an inspection's id -> its records in ``earlier``
    for record in earlier.records if earlier else ():
        before.setdefault(record.inspection, []).append(replace(record, recurs=None))
    records, kept = [], set()
    for inspection in found:
        if earlier and earlier.made_from.get(inspection.id) == sources[inspection.id]:
            records += before.get(inspection.id, [])
            kept.update(record.id for record in before.get(inspection.id, []))
        else:
            records += _records(index, inspection)
    recurring = _recurring(index, records, kept, earlier.recurring if earlier else [])
    group = duplicates.numbered(len(records), recurring)
    ids = [record.id for record in records]
    return ledger.Worked(found, [record if group[n] < 0 else replace(record, recurs=int(group[n]))
                                 for n, record in enumerate(records)], sources,
                         sorted((ids[i], ids[j]) for i, j in recurring))


def made_from(index: Index, inspection: Inspection, shared: bytes, keys: dict[str, str]) -> str:
    """A digest of everything an inspection's records are worked out from: the code and the index-wide facts
    (``shared``), the inspection, its documents' content (``keys``: each document's, from the manifest), and
    which of their paragraphs are near-identical (a group is the whole index's: a paragraph added elsewhere
    can join two of them)."""
    digest = hashlib.blake2b(shared, digest_size=16)
    digest.update(json.dumps(asdict(inspection), sort_keys=True).encode())
    ranges = [index.paragraphs.rows_of(doc_id) for doc_id in inspection.documents]
    digest.update(json.dumps([keys.get(doc_id) for doc_id in inspection.documents]).encode())
    group = np.concatenate([index.group[r.start:r.stop] for r in ranges]) if ranges else np.zeros(0, np.int32)
    _, first, inverse, counts = np.unique(group, return_index=True, return_inverse=True, return_counts=True)
    together = (group >= 0) & (counts[inverse] > 1)  # near-identical to another paragraph of the inspection
    digest.update(np.stack([np.flatnonzero(together), first[inverse][together]]).astype(np.int64).tobytes())
    return digest.hexdigest()


def _shared(index: Index) -> bytes:
    """What every inspection's records depend on: the code that works them out, the index's schema and
    model, and the labels items have anywhere (a reply names an item by them)."""
    code = b"".join(Path(__file__).with_name(f"{module}.py").read_bytes() for module in _CODE)
    facts = json.dumps([index.manifest.get("schema_version"), index.manifest.get("model"),
                        sorted(set(index.paragraphs.labels))]).encode()
    return hashlib.blake2b(code + facts, digest_size=16).digest()


def _records(index: Index, inspection: Inspection) -> list[Record]:
    units, quoted = _units(index, inspection)
    items = {row for unit in units for row in unit}
    linked = [link for doc_id in inspection.documents
              for link in links(index, doc_id, frozenset(quoted.get(doc_id, ()))) if link.response not in items]
    naming = {row: index.named(index.paragraphs[row].text) & items for response in inspection.responses
              for row in index.paragraphs.rows_of(response.doc_id) if row not in items}
    # items, and the answers to one by its heading or name: no other item's similar reply
    taken = items | {link.response for link in linked if link.how in SURE} | {row for row, hit in naming.items() if hit}
    records = []
    for group in _merged(index, units):
        places = sorted(group, key=lambda unit: (inspection.documents.index(_doc(index, unit)), unit[0]))
        first = index.paragraphs[places[0][0]]
        labels = [index.paragraphs[unit[0]].label for unit in places]
        text = max(("\n\n".join(index.paragraphs[row].text for row in unit) for unit in places), key=len)
        replies = _replies(index, inspection, places, linked, naming, taken)
        status, words = verdict(_deciding(index, replies))
        records.append(Record(first.key, inspection.id, first.role, next(filter(None, labels), None), text,
                              tuple(Place(_doc(index, unit), tuple(index.paragraphs[r].paragraph for r in unit), label)
                                    for unit, label in zip(places, labels)),
                              clock.deadline(text, inspection.published),
                              tuple(Reply(index.paragraphs[row].doc_id, index.paragraphs[row].paragraph, how, sure)
                                    for row, how, sure in replies), status, words))
    return records


def _deciding(index: Index, replies: list[tuple[int, str, float]]) -> list[str]:
    """The texts a status is read from: the replies found by heading, name or order that are sure enough,
    else the likeliest found by similarity (the others are the alternatives to it, not more replies)."""
    sure = [(row, how) for row, how, confidence in replies if confidence >= LIKELY]
    found = [row for row, how in sure if how != "similarity"] or [row for row, _ in sure[:1]]
    return [index.paragraphs[row].text for row in found]


def _doc(index: Index, unit: list[int]) -> str:
    return index.documents.ids[index.paragraphs.document[unit[0]]]


def _units(index: Index, inspection: Inspection) -> tuple[list[list[int]], dict[str, set[int]]]:
    """Each item as it stands in each document (its rows), and the rows of each document that quote an
    item of another without being marked an item: near-identical to one of its paragraphs, or a piece of
    its words (a response that splits a one-paragraph recommendation in two)."""
    own = {doc_id: index.paragraphs.rows_of(doc_id) for doc_id in inspection.documents}
    items = {row for rows in own.values() for row in rows if index.paragraphs[row].role in ITEMS}
    worded = {doc_id: " ".join(_plain(index.paragraphs[row].text) for row in rows if row in items)
              for doc_id, rows in own.items()}
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
            elif current and current[-1] == row - 1 and (any(twin in items for twin in index.twins(row)) or any(
                    _within(plain, text) for plain in [_plain(p.text)] for other, text in worded.items()
                    if other != doc_id)):
                current.append(row)  # quoted from the item's place in another document
                quoted.setdefault(doc_id, set()).add(row)
            else:
                current = None
    return units, quoted


def _merged(index: Index, units: list[list[int]]) -> list[list[list[int]]]:
    """The units grouped into records: near-identical text, or one quoting the other's words, first; then
    the same label where no document holds the two under different labels."""
    unit_of = {row: n for n, unit in enumerate(units) for row in unit}
    parent = list(range(len(units)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]  # halve the path: found again, it is shorter
            n = parent[n]
        return n

    for n, unit in enumerate(units):
        for row in unit:
            for twin in index.twins(row):
                if twin in unit_of and root(unit_of[twin]) != root(n):
                    parent[root(unit_of[twin])] = root(n)
    doc = [_doc(index, unit) for unit in units]
    worded = [_plain(" ".join(index.paragraphs[row].text for row in unit)) for unit in units]
    for n in range(len(units)):
        for m in range(n):
            if doc[n] != doc[m] and root(n) != root(m) and \
                    (_within(worded[n], worded[m]) or _within(worded[m], worded[n])):
                parent[root(n)] = root(m)
    label = [index.paragraphs[unit[0]].label for unit in units]
    members: dict[int, list[int]] = {}  # a root -> the units of its group
    for n in range(len(units)):
        members.setdefault(root(n), []).append(n)
    earlier: dict[str, list[int]] = {}  # a label -> the units before this one that have it
    for n in range(len(units)):
        for m in earlier.setdefault(label[n], []) if label[n] else ():
            a, b = root(n), root(m)
            if a != b and _agree(doc, label, members[a] + members[b]):
                parent[a] = b
                members[b] += members.pop(a)
        if label[n]:
            earlier[label[n]].append(n)
    groups: dict[int, list[list[int]]] = {}
    for n, unit in enumerate(units):
        groups.setdefault(root(n), []).append(unit)
    return list(groups.values())


def _plain(text: str) -> str:
    """Letters and digits only: two PDFs of one text differ in quotes, dashes and numbering ("8.5." or not)."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _within(part: str, whole: str) -> bool:
    """Whether ``part`` is long enough to be a quotation and stands in ``whole`` word for word."""
    return len(part) >= QUOTED and part in whole


def _agree(doc: list[str], label: list[str | None], together: list[int]) -> bool:
    """Whether the units could be one item: no document would hold it under two labels."""
    seen: dict[str, str | None] = {}
    for n in together:
        if seen.setdefault(doc[n], label[n]) != label[n]:
            return False
    return True


def _replies(index: Index, inspection: Inspection, places: list[list[int]], linked: list[Link],
             naming: dict[int, set[int]], taken: set[int]) -> list[tuple[int, str, float]]:
    """(row, how found, confidence) of the paragraphs that answer the item of ``places``, best first (see the
    module's docstring); ``naming`` gives the items each response paragraph names, and ``taken`` rows are
    items or answer one by its heading or name."""
    mine = {row for unit in places for row in unit}
    found: dict[int, tuple[str, float]] = {}
    for link in linked:  # a reply shared with the next item is under this one's heading too: say so
        if link.item in mine and found.get(link.response, ("shared",))[0] == "shared":
            found[link.response] = (link.how, link.confidence)
    for response in inspection.responses:
        rows = index.paragraphs.rows_of(response.doc_id)
        if any(row in found for row in rows):
            continue
        own = {index.paragraphs[row].label for row in rows if index.paragraphs[row].role in ITEMS}
        label = index.paragraphs[places[0][0]].label  # a response's own "Recommendation 4" is its own item
        named = [row for row in rows if label not in own and mine & naming.get(row, set())]
        for row in named:
            found[row] = ("label", SURE["label"])
        if not named and not own:  # a response that quotes what it answers leaves the rest unanswered
            others = [row for row in rows if row not in taken and index.paragraphs[row].role != "summary"]
            for row, likeness in _similar(index, places[0], others):
                found[row] = ("similarity", likeness)
    order = {doc_id: n for n, doc_id in enumerate(inspection.documents)}
    ranked = sorted(found, key=lambda row: (-found[row][1], order[index.paragraphs[row].doc_id], row))
    return [(row, *found[row]) for row in ranked]


def _similar(index: Index, unit: list[int], rows: list[int]) -> list[tuple[int, float]]:
    """The best CANDIDATES of ``rows`` for answering the item of ``unit``, with their cosine to it: ranked
    by meaning and by shared words (the rarer among ``rows``, the more a word counts), fused. Only ``rows``
    are compared: one response's paragraphs, not the index."""
    if not rows:
        return []
    query = np.asarray(index.vectors[unit]).sum(axis=0)
    query = query / (np.linalg.norm(query) or 1.0)
    cosine = dict(zip(rows, (np.asarray(index.vectors[rows]) @ query).tolist()))
    by_meaning = sorted(rows, key=lambda row: -cosine[row])
    wanted = {word for row in unit for word in _WORD.findall(index.paragraphs[row].text.lower())}
    texts = {row: set(_WORD.findall(index.paragraphs[row].text.lower())) for row in rows}
    spread = Counter(word for words in texts.values() for word in words)
    shared = {row: sum(math.log(1 + len(rows) / spread[w]) for w in texts[row] if w in wanted) for row in rows}
    by_words = sorted((row for row in rows if shared[row]), key=lambda row: -shared[row])
    fused = [row for row, _ in rrf([by_meaning, by_words]) if cosine[row] >= SIMILAR]
    return [(row, round(cosine[row], 3)) for row in fused[:CANDIDATES]]


def _recurring(index: Index, records: list[Record], kept: set[str], known: list[tuple[str, str]]
               ) -> set[tuple[int, int]]:
    """The pairs of near-identical records of different inspections, by position in ``records``: those ``known``
    (by id) between records ``kept`` from the previous generation, and each other record's with every record."""
    position = {record.id: n for n, record in enumerate(records)}
    linked = {tuple(sorted((position[a], position[b]))) for a, b in known if a in kept and b in kept}
    fresh = np.array([n for n, record in enumerate(records) if record.id not in kept], dtype=np.int64)
    if len(records) < 2 or not len(fresh):
        return linked
    rows = [index.paragraphs.row(record.id) for record in records]
    vectors = np.asarray(index.vectors[rows])
    return linked | duplicates.pairs([record.text for record in records], vectors,
                                     [record.inspection for record in records], fresh)


def write(folder: Path, settings: Settings, previous: Path | None = None) -> None:
    """Work out the ledger of a generation that is written but not yet published, and keep it there; the
    records of the ``previous`` generation's inspections are reused where nothing they came from changed."""
    index = Index(settings, folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8")))
    ledger.write(folder, itemise(index, ledger.worked(previous) if previous else None))
