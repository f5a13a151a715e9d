"""Filters, facet counts and the timeline: narrowing a result list by year, date, document and paragraph fields.

A search first finds every matching paragraph; the filters then keep those
whose document (or, for role, whose paragraph) has one of the chosen values.
Counts are "what you would get": each facet is counted over the matches that
pass every *other* filter, so choosing 2019 still shows how many 2020 has, and
a search with no results can say which filter to drop.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .errors import QueryError
from .records import DOC_TYPES, ROLES, Metadata

UNDATED = "undated"
# values of a facet listed, most matches first: 2,500 documents or 400 authors are no list to choose from
LISTED = 30
# A document field that is missing, as the URL says it: "" would read as "no filter", as empty parameters do.
NOT_STATED = "not_stated"
# Who is speaking in a paragraph of each role, for the timeline: the inspectorate or those answering it.
VOICES = {"summary": "finding", "recommendation": "finding", "area_for_improvement": "finding",
          "cause_of_concern": "finding", "force_response": "response", "commissioner_response": "response"}


@dataclass(frozen=True)
class Facet:
    name: str  # the URL parameter
    label: str
    names: dict | None = None  # display names of stored keys, when they are keys: the only values allowed

    def show(self, value: str, titles: dict[str, str] | None = None) -> str:
        """How a value reads: its display name (a document by its title, given ``titles``), or "Not stated"."""
        names = (titles or {}) if self.name == "document" else self.names or {}
        return "Not stated" if value == NOT_STATED else names.get(value) or value

    def check(self, value: str) -> None:
        """Refuse a value this facet can never have, so that a typo is not a silent "no results";
        values taken from the documents (authors, areas…) are open, and an unknown one matches nothing."""
        if self.name == "year" and value != UNDATED and not re.fullmatch(r"[0-9]{4}", value):
            raise QueryError(f"year: expected a year such as 2019 or {UNDATED!r}, got {value!r}")
        if self.names and value not in self.names:
            raise QueryError(f"{self.name}: {value!r} is not one of: {', '.join(self.names)}")


FACETS = (
    Facet("year", "Year"),
    Facet("doc_type", "Document type", DOC_TYPES),
    Facet("inspectorate", "Inspectorate"),
    Facet("inspection_type", "Inspection type"),
    Facet("author", "Author"),
    Facet("area", "Area"),
    Facet("role", "Paragraph role", ROLES),
    Facet("document", "Document"),  # named by the document's title when shown
)
NAMES = tuple(f.name for f in FACETS)
_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


@dataclass(frozen=True)
class Filters:
    """The chosen values per facet (any of them matches) and an optional date range (inclusive)."""

    chosen: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def from_args(cls, getlist) -> "Filters":
        """Read filters from URL parameters (``getlist(name)`` gives every value of one parameter);
        raises QueryError for a value its facet cannot have, a date that is not one, or from after to."""
        chosen = {}
        for facet in FACETS:
            values = tuple(dict.fromkeys(v.strip() for v in getlist(facet.name) if v.strip()))
            for value in values:
                facet.check(value)
            if values:
                chosen[facet.name] = values
        date_from, date_to = _date(getlist, "from"), _date(getlist, "to")
        if date_from and date_to and date_from[: len(date_to)] > date_to:
            raise QueryError(f"from: {date_from} is after to {date_to}; choose a from date on or before it")
        return cls(chosen, date_from, date_to)

    def __bool__(self) -> bool:
        return bool(self.chosen or self.date_from or self.date_to)

    def in_range(self, date: str | None) -> bool:
        """Whether a document dated ``date`` falls within the date range (always, without one)."""
        if not (self.date_from or self.date_to):
            return True
        if date is None:
            return False
        # "2019" as a lower bound is its first day; as an upper bound, its last; and a
        # document dated by its year alone may fall on any day of it
        if self.date_from and date < self.date_from[: len(date)]:
            return False
        return not (self.date_to and date[: len(self.date_to)] > self.date_to)


def _date(getlist, name: str) -> str | None:
    """The first value of parameter ``name``, if any, when it is a real year, month or day;
    raises QueryError naming the parameter, so that 2023-02-30 is not a silent "no results"."""
    value = next((v.strip() for v in getlist(name) if v.strip()), None)
    if value is None:
        return None
    if _DATE.match(value):
        try:
            datetime.date.fromisoformat((value + "-01-01")[:10])  # a year or a month as its first day
            return value
        except ValueError:
            pass
    raise QueryError(f"{name}: {value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")


def values(doc_id: str, meta: Metadata) -> dict[str, str]:
    """A document's value for every facet but the paragraph's role; missing metadata counts as NOT_STATED
    (UNDATED for the year)."""
    return {
        "year": meta.date[:4] if meta.date else UNDATED,
        "doc_type": meta.doc_type,
        "inspectorate": meta.inspectorate or NOT_STATED,
        "inspection_type": meta.inspection_type or NOT_STATED,
        "author": meta.author or NOT_STATED,
        "area": meta.area or NOT_STATED,
        "document": doc_id,
    }


@dataclass(frozen=True)
class FacetValue:
    value: str  # as the URL says it
    label: str
    count: int
    chosen: bool


@dataclass(frozen=True)
class FacetCount:
    name: str
    label: str
    values: list[FacetValue]  # the LISTED most frequent (every year), and every chosen one
    total: int = 0  # the matches the values count, listed or not: what dropping this filter gives
    more: int = 0  # values with matches that are not listed


@dataclass(frozen=True)
class YearCount:
    year: str
    finding: int  # paragraphs in the inspectorate's voice
    response: int  # in the voice of those answering it
    other: int
    chosen: bool

    @property
    def total(self) -> int:
        return self.finding + self.response + self.other


def count(counts: dict[str, tuple[list[str], np.ndarray]], filters: Filters,
          titles: dict[str, str]) -> list[FacetCount]:
    """Each facet's values, most matches first (years newest first, as the timeline reads them);
    ``counts[name]`` is the facet's values, sorted, and how many of the matches that pass every filter but
    that facet's have each. A chosen value is listed even with no match.

    Only the LISTED most frequent values are ordered: at a million paragraphs the document facet has
    25,000 values, and sorting them all in Python cost more than the search."""
    result = []
    for facet in FACETS:
        labels, found = counts[facet.name]
        chosen = filters.chosen.get(facet.name, ())
        codes = _listed(facet.name, found)
        shown = {labels[code] for code in codes}
        extra = sorted(((value, _found(labels, found, value)) for value in chosen if value not in shown),
                       key=lambda item: (-item[1], item[0]))
        listed = [(labels[c], int(found[c])) for c in codes] + extra
        if facet.name == "year":
            listed = sorted(sorted(listed, reverse=True), key=lambda item: item[0] == UNDATED)
        result.append(FacetCount(facet.name, facet.label, [
            FacetValue(value, facet.show(value, titles), n, value in chosen) for value, n in listed],
            int(found.sum()), int(np.count_nonzero(found)) - sum(1 for _, n in listed if n)))
    return result


def _found(labels: list[str], found: np.ndarray, value: str) -> int:
    """The count of ``value`` among the sorted ``labels``, 0 when no row has it."""
    code = bisect.bisect_left(labels, value)
    return int(found[code]) if code < len(labels) and labels[code] == value else 0


def _listed(name: str, found: np.ndarray) -> list[int]:
    """The codes of the values to list: every year with matches; else the LISTED with most, ties in the
    order of their (sorted) labels."""
    codes = np.flatnonzero(found)
    if name == "year":
        return codes.tolist()
    if len(codes) > LISTED:
        least = np.partition(found[codes], len(codes) - LISTED)[len(codes) - LISTED]
        codes = codes[found[codes] >= least]  # the LISTED most, and any tied with the last of them
    return codes[np.lexsort((codes, -found[codes]))][:LISTED].tolist()


def timeline(per_year: dict[str, Counter], filters: Filters) -> list[YearCount]:
    """Matches per year, split by who is speaking (``per_year[year][role]`` counts them by paragraph role),
    oldest first and undated last."""
    voices: dict[str, Counter] = {}
    for year, roles in per_year.items():
        for role, n in roles.items():
            voices.setdefault(year, Counter())[VOICES.get(role, "other")] += n
    chosen = filters.chosen.get("year", ())
    return [YearCount(year, c["finding"], c["response"], c["other"], year in chosen)
            for year, c in sorted(voices.items(), key=lambda item: (item[0] == UNDATED, item[0]))]
