"""Which indexed documents speak of one inspection: its report and the responses to it.

A response names its report in its title ("Government response to … 'The
Space Economy: Act Now or Lose Out'", a PCC response's "Title of Inspection")
and quotes its items word for word, so a response joins the report its title
names, else the one it shares the most near-identical items with; responses
whose report is not indexed are one inspection when their titles agree. Two
reports are never joined: a recommendation made again in a later report is a
recurring one, not the same inspection. The clock (``clock``) runs from the
report's publication, read from the report or, without it, from the date a
response gives for it ("Date Inspection Published").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .clock import STATUTORY_DAYS, days, full
from .links import ITEMS, RESPONSES
from .records import Metadata
from .store import Index

RESPONSE_TYPES = ("pcc_response", "force_response")
# Text near-identical across more documents than this is boilerplate, or a national recommendation quoted by
# every force, and tells no one inspection from another; at a million paragraphs such groups held thousands of
# paragraphs each, and pairing every one with every other took hours.
MOST_DOCUMENTS = 100
_RESPONSE_TITLE = re.compile(r"\b(?:response|reply)\b", re.I)
_SMALL = {"the", "a", "an", "of", "to", "on", "in", "and", "for", "report", "s"}


@dataclass(frozen=True)
class Response:
    """A response document on the clock: its whole date (None when not read in full), the days from the
    report's publication, and whether it is a PCC's past the statutory 56."""

    doc_id: str
    title: str
    doc_type: str
    date: str | None
    days: int | None
    late: bool


@dataclass(frozen=True)
class Inspection:
    """A report and the responses to it; ``report`` is None when only responses are indexed."""

    id: str
    title: str
    inspectorate: str | None
    published: str | None
    report: str | None
    responses: tuple[Response, ...]

    @property
    def documents(self) -> tuple[str, ...]:
        return ((self.report,) if self.report else ()) + tuple(r.doc_id for r in self.responses)

    @property
    def first_response(self) -> Response | None:
        """The earliest dated response, else the first one: the one the clock stops at."""
        return min(self.responses, key=lambda r: (r.date is None, r.date or ""), default=None)

    @classmethod
    def from_json(cls, data: dict) -> "Inspection":
        return cls(**{**data, "responses": tuple(Response(**r) for r in data["responses"])})


def inspections(index: Index) -> list[Inspection]:
    """Every inspection of the indexed documents that hold items or are responses, in index order."""
    ids = list(index.documents)
    meta = {doc_id: index.documents.meta(doc_id) for doc_id in ids}
    codes, names = index.paragraphs.records["role"], index.paragraphs.roles  # read from the table, no text read
    roles = {doc_id: {names[code] for code in set(codes[rows.start:rows.stop].tolist())}
             for doc_id in ids for rows in [index.paragraphs.rows_of(doc_id)]}
    responds = {doc_id for doc_id in ids if meta[doc_id].doc_type in RESPONSE_TYPES or roles[doc_id] & set(RESPONSES)
                or _RESPONSE_TITLE.search(meta[doc_id].title)}
    reports = {doc_id for doc_id in ids if doc_id not in responds and roles[doc_id] & set(ITEMS)}
    parent = {doc_id: doc_id for doc_id in ids if doc_id in responds or doc_id in reports}
    with_report = {doc_id: doc_id in reports for doc_id in parent}  # a group's root -> whether it holds a report

    def root(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            doc_id = parent[doc_id]
        return doc_id

    for a, b in _evidence(index, ids, responds, set(parent), meta, reports):
        a, b = root(a), root(b)
        if a != b and not (with_report[a] and with_report[b]):
            parent[b] = a
            with_report[a] = with_report[a] or with_report[b]
    members: dict[str, list[str]] = {}
    for doc_id in ids:
        if doc_id in parent:
            members.setdefault(root(doc_id), []).append(doc_id)
    return [_inspection(found, reports, meta) for found in members.values()]


def _evidence(index: Index, ids: list[str], responds: set[str], known: set[str], meta: dict[str, Metadata],
              reports: set[str]) -> list[tuple[str, str]]:
    """(response, document) pairs that speak of one inspection, the strongest first: those whose title names
    the document, then by the items quoted word for word. A title outweighs any number of quotes: a national
    recommendation stands word for word in every force's report and response, each answering its own."""
    score: dict[tuple[str, str], tuple[bool, int]] = {}  # (named by the title, items quoted)
    codes, names, document = index.paragraphs.records["role"], index.paragraphs.roles, index.paragraphs.document
    telling = _spread(index) <= MOST_DOCUMENTS
    for doc_id in ids:
        if doc_id not in responds:
            continue
        for row in index.paragraphs.rows_of(doc_id):
            if index.group[row] < 0 or not telling[index.group[row]]:
                continue
            for twin in index.twins(row):
                other = index.documents.ids[document[twin]]
                if other in known and (names[codes[twin]] in ITEMS or names[codes[row]] in ITEMS):
                    named, quoted = score.get((doc_id, other), (False, 0))
                    score[doc_id, other] = named, quoted + 1
    words = {doc_id: f" {' '.join(_words(meta[doc_id].title))} " for doc_id in ids if doc_id in known}
    titled: dict[str, list[str]] = {}  # a title's words -> the documents of that title, in index order
    for doc_id, said in words.items():
        if len(said.split()) >= 3:  # a name too short to tell one inspection from another names none
            titled.setdefault(said, []).append(doc_id)
    place = {said: n for n, said in enumerate(titled)}
    for response in [doc_id for doc_id in ids if doc_id in responds]:
        named = [other for other in titled.get(words[response], []) if other != response]  # the same title
        within = sorted((said for said in _runs(words[response]) if said in titled and said != words[response]),
                        key=place.__getitem__)  # a report's title within its own, in the order of ``titled``
        named += [doc_id for said in within for doc_id in titled[said] if doc_id in reports]
        for other in named:
            score[response, other] = True, score.get((response, other), (False, 0))[1]
    return sorted(score, key=lambda pair: (not score[pair][0], -score[pair][1]))  # stable: ties in index order


def _spread(index: Index) -> np.ndarray:
    """How many documents each near-identical group's paragraphs stand in."""
    rows = index.twinned
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    documents = len(index.documents.ids)
    pairs = np.unique(index.group[rows].astype(np.int64) * documents + index.paragraphs.document[rows])
    return np.bincount(pairs // documents, minlength=int(index.group.max()) + 1)


def _runs(said: str) -> set[str]:
    """Every run of three or more consecutive words of a title as ``words`` spaces it (" a b c "): the
    titles that can stand within it."""
    found = said.split()
    return {f" {' '.join(found[i:j])} " for i in range(len(found)) for j in range(i + 3, len(found) + 1)}


def _words(title: str) -> list[str]:
    return [w for w in re.findall(r"\w+", title.lower()) if w not in _SMALL]


def _inspection(documents: list[str], reports: set[str], meta: dict[str, Metadata]) -> Inspection:
    report = next((doc_id for doc_id in documents if doc_id in reports), None)
    answering = [doc_id for doc_id in documents if doc_id != report]
    if report:
        published = full(meta[report].published) or full(meta[report].date)
    else:
        published = next((full(meta[doc_id].published) for doc_id in answering if full(meta[doc_id].published)), None)
    responses = []
    for doc_id in answering:
        m = meta[doc_id]
        dated = full(m.signed) or (full(m.date) if m.date != m.published else None)
        after = days(published, dated)
        responses.append(Response(doc_id, m.title, m.doc_type, dated, after,
                                  m.doc_type == "pcc_response" and after is not None and after > STATUTORY_DAYS))
    responses.sort(key=lambda r: (r.date is None, r.date or ""))
    first = report or documents[0]
    inspectorate = next((meta[d].inspectorate for d in documents if meta[d].inspectorate), None)
    return Inspection(first, meta[first].title, inspectorate, published, report, tuple(responses))
