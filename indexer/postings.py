"""Every paragraph a keyword query matches, as a mask over rows, from postings held in numpy arrays.

A search engine finds its best hits quickly, but handing over every matching
paragraph costs one Python object each: tantivy took 20-30 ms to give the
70,000 matches of a common query at 100,000 paragraphs. Counting, facets and
the meaning side need only *which* rows match, so each word's rows are kept
sorted in one array and a query is answered by OR-ing and AND-ing masks (about
a millisecond). Phrases need word positions: the engine checks them, only
among the rows where all of a phrase's words stand.

On disk, in a folder of the generation's keyword index: ``terms.json`` (each
term as ``field:word``, in id order), ``offsets.npy`` (term id -> where its rows
start in ``rows.npy``, one past the last at the end), ``rows.npy``, and
``keys.json`` (each row's paragraph key), by which the next generation's
postings follow the rows that moved.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from . import deadline, querytree

FOLDER = "postings"
TERMS, OFFSETS, ROWS, KEYS = "terms.json", "offsets.npy", "rows.npy", "keys.json"

PhraseRows = Callable[[querytree.Phrase, np.ndarray], np.ndarray]  # (phrase, candidate mask) -> mask


class Writer:
    """Collects the words of each new paragraph, then writes the postings of a whole generation."""

    def __init__(self):
        self._ids: dict[str, int] = {}
        self._terms, self._rows = array("q"), array("q")

    def add(self, row: int, fields: dict[str, Iterable[str]]) -> None:
        """Paragraph ``row`` has ``fields``' words (analysed, as the engine indexes them)."""
        ids = self._ids
        for field, words in fields.items():
            for word in set(words):
                self._terms.append(ids.setdefault(f"{field}:{word}", len(ids)))
                self._rows.append(row)

    def write(self, folder: Path, keys: list[str], previous: Path | None = None) -> None:
        """Write the postings of the paragraphs added, whose rows name ``keys`` (row order), plus those of
        the ``previous`` postings' paragraphs still among ``keys``, at their new rows."""
        terms = np.frombuffer(self._terms, dtype=np.int64)
        rows = np.frombuffer(self._rows, dtype=np.int64)
        if previous is not None:
            terms, rows = self._kept(Postings(previous), {key: row for row, key in enumerate(keys)}, terms, rows)
        names = np.array(list(self._ids), dtype=object)
        used = np.bincount(terms, minlength=len(names)) > 0  # a term whose paragraphs all went is dropped
        terms = (np.cumsum(used) - 1)[terms]
        order = np.lexsort((rows, terms))
        folder.mkdir(parents=True)
        (folder / TERMS).write_text(json.dumps(names[used].tolist()), encoding="utf-8")
        (folder / KEYS).write_text(json.dumps(keys), encoding="utf-8")
        counts = np.bincount(terms, minlength=int(used.sum()))
        np.save(folder / OFFSETS, np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
        np.save(folder / ROWS, rows[order].astype(np.int32))

    def _kept(self, previous: Postings, rows_of: dict[str, int], terms: np.ndarray,
              rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``terms`` and ``rows`` with the postings of ``previous``'s paragraphs that ``rows_of`` still
        has (by key) and that were not added again (a changed document keeps its keys), at their new rows."""
        moved = np.fromiter((rows_of.get(key, -1) for key in previous.keys), dtype=np.int64,
                            count=len(previous.keys))
        moved[np.isin(moved, rows)] = -1
        renamed = moved[previous.rows]
        kept = renamed >= 0
        ids = np.fromiter((self._ids.setdefault(term, len(self._ids)) for term in previous.terms), dtype=np.int64,
                          count=len(previous.terms))
        old_terms = np.repeat(ids, np.diff(previous.offsets))
        return np.concatenate([old_terms[kept], terms]), np.concatenate([renamed[kept], rows])


class Postings:
    """One generation's postings: the sorted rows of each ``field:word``."""

    def __init__(self, folder: Path):
        self.terms: list[str] = json.loads((folder / TERMS).read_text(encoding="utf-8"))
        self.keys: list[str] = json.loads((folder / KEYS).read_text(encoding="utf-8"))
        self._ids = {term: i for i, term in enumerate(self.terms)}
        self.offsets = np.load(folder / OFFSETS)
        self.rows = np.load(folder / ROWS, mmap_mode="r")

    def of(self, field: str, word: str) -> np.ndarray:
        """The rows where ``word`` stands in ``field``, ascending."""
        i = self._ids.get(f"{field}:{word}")
        return self.rows[self.offsets[i]:self.offsets[i + 1]] if i is not None else self.rows[:0]

    def matching(self, node: querytree.Node, phrase_rows: PhraseRows) -> np.ndarray:
        """The mask of the rows ``node`` matches; ``phrase_rows`` tells which of the candidate rows
        of a phrase of several words have it."""
        return self._matching(node, len(self.keys), phrase_rows)

    def _matching(self, node: querytree.Node, count: int, phrase_rows: PhraseRows) -> np.ndarray:
        deadline.check("matching the keywords")  # once a node: a prefix's completions are hundreds of them
        if isinstance(node, querytree.Term):
            return self._mask(self.of(node.field, node.text), count)
        if isinstance(node, querytree.Phrase):
            return self._phrase(node, count, phrase_rows, np.ones(count, dtype=bool))
        if isinstance(node, querytree.Or):
            return self._any(node.children, count, phrase_rows)
        if isinstance(node, querytree.And):
            found = np.ones(count, dtype=bool)
            for child in node.children:
                found &= self._matching(child, count, phrase_rows)
            return found if node.children else np.zeros(count, dtype=bool)
        if isinstance(node, querytree.AndMaybe):
            return self._matching(node.required, count, phrase_rows)
        if isinstance(node, querytree.Require):
            return self._matching(node.scored, count, phrase_rows) & self._matching(node.required, count, phrase_rows)
        if isinstance(node, querytree.Every):
            return np.ones(count, dtype=bool)
        if isinstance(node, querytree.Nothing):
            return np.zeros(count, dtype=bool)
        raise ValueError(f"no postings for {node!r}")

    def _any(self, children, count: int, phrase_rows: PhraseRows) -> np.ndarray:
        """Words first, then each phrase only where nothing else matched: the proximity bonus
        of a query's own words then costs nothing."""
        found = np.zeros(count, dtype=bool)
        phrases = [child for child in children if isinstance(child, querytree.Phrase) and len(child.words) > 1]
        for child in children:
            if not any(child is phrase for phrase in phrases):
                found |= self._matching(child, count, phrase_rows)
        for phrase in phrases:
            deadline.check("checking phrases")
            found |= self._phrase(phrase, count, phrase_rows, ~found)
        return found

    def _phrase(self, node: querytree.Phrase, count: int, phrase_rows: PhraseRows, wanted: np.ndarray) -> np.ndarray:
        """The rows of ``wanted`` that have the phrase: the engine checks those that have all its words."""
        candidates = wanted.copy()
        for word in node.words:
            candidates &= self._mask(self.of(node.field, word), count)
        if len(node.words) < 2 or not candidates.any():
            return candidates
        return phrase_rows(node, candidates)

    @staticmethod
    def _mask(rows: np.ndarray, count: int) -> np.ndarray:
        mask = np.zeros(count, dtype=bool)
        mask[rows] = True
        return mask
