"""Every paragraph's facet values and date as arrays, so a search filters and counts its matches in one pass.

At 100,000 paragraphs a query about children or custody matches tens of
thousands of them. Filtering those as dicts once per facet and again for the
timeline cost more than the search itself; as integer codes, each filter is one
``isin`` over an array and each facet's counts one ``bincount``, whatever the
number of matches.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .facets import NAMES, Filters, values
from .table import Paragraphs


class Columns:
    """Facet values as codes: ``codes[name][row]`` indexes ``labels[name]``; dates likewise.

    Every facet but the role is a document's, so each is worked out once per
    document and spread to its rows by their document numbers.
    """

    def __init__(self, paragraphs: Paragraphs):
        self.labels: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        documents = paragraphs.documents
        per_document = [{**values(doc_id, meta), "date": meta.date or ""}
                        for doc_id, meta in zip(documents.ids, documents.metas)]
        for name in (*NAMES, "date"):
            if name == "role":
                self._encode(name, paragraphs.roles, paragraphs.records["role"])
            else:
                self._encode(name, [found[name] for found in per_document], paragraphs.document)

    def _encode(self, name: str, column: list[str], numbers: np.ndarray) -> None:
        """Column ``name`` of the rows whose values are ``column[numbers[row]]``: the sorted values
        that rows have, and each row's code."""
        labels = sorted({column[n] for n in np.flatnonzero(np.bincount(numbers, minlength=len(column))).tolist()})
        code = {label: n for n, label in enumerate(labels)}
        self.labels[name] = labels
        self.codes[name] = np.array([code.get(value, -1) for value in column], dtype=np.int32)[numbers]

    def passing(self, filters: Filters, skip: tuple[str, ...] = ()) -> np.ndarray | None:
        """Which rows pass every filter but those named in ``skip`` ("date" names the date range);
        None when no filter applies."""
        mask = None
        for name, wanted in filters.chosen.items():
            if name not in skip:
                mask = _and(mask, self._among(name, lambda label, wanted=wanted: label in wanted))
        if "date" not in skip and (filters.date_from or filters.date_to):
            mask = _and(mask, self._among("date", lambda label: filters.in_range(label or None)))
        return mask

    def _among(self, name: str, keep) -> np.ndarray:
        allowed = np.fromiter((keep(label) for label in self.labels[name]), dtype=bool, count=len(self.labels[name]))
        return allowed[self.codes[name]]

    def count(self, rows: np.ndarray, name: str) -> tuple[list[str], np.ndarray]:
        """Facet ``name``'s values, sorted, and how many of ``rows`` have each."""
        return self.labels[name], np.bincount(self.codes[name][rows], minlength=len(self.labels[name]))

    def per_year(self, rows: np.ndarray) -> dict[str, Counter]:
        """How many of ``rows`` each year has, by paragraph role: what the timeline draws."""
        roles = len(self.labels["role"])
        found = np.bincount(self.codes["year"][rows] * roles + self.codes["role"][rows],
                            minlength=len(self.labels["year"]) * roles)
        per_year: dict[str, Counter] = {}
        for code in np.flatnonzero(found):
            year, role = divmod(int(code), roles)
            per_year.setdefault(self.labels["year"][year], Counter())[self.labels["role"][role]] = int(found[code])
        return per_year

    def date(self, rows: np.ndarray) -> np.ndarray:
        """A sortable key of each row's date: dates as ISO strings sort as they read; '' is undated."""
        return self.codes["date"][rows]

    def undated(self) -> int:
        """The date code of undated rows, or -1 when every row is dated."""
        return 0 if self.labels["date"] and self.labels["date"][0] == "" else -1


def _and(mask: np.ndarray | None, other: np.ndarray) -> np.ndarray:
    return other if mask is None else mask & other
