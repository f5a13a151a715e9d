"""The recommendations ledger: the one path by which the CLI, the pages and the API read it (``ledger``).

A build works out every item once (``itemise``) and keeps the result beside
the paragraphs, as ``ledger.json`` of the generation: what was recommended,
where it stands, what answered it and how that was found, its status and
the clock of the inspection it belongs to. Reading it filters that file;
nothing is searched or embedded. Overdue depends on the day it is asked, so
it is worked out here, from ``today`` (passed in, so a test's answer does not
change with the calendar). Search results say what each paragraph is to the
ledger through ``marks``, a lookup by paragraph key made once per generation.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from . import clock
from .clock import Deadline
from .errors import IndexMismatchError, QueryError
from .inspections import Inspection
from .links import LIKELY
from .metadata import citation
from .store import Index, index_command
from .verdicts import STATUSES

LEDGER = "ledger.json"


@dataclass(frozen=True)
class Place:
    """Where an item stands: one document's paragraphs of it, under the label it has there."""

    doc_id: str
    paragraphs: tuple[int, ...]
    label: str | None


@dataclass(frozen=True)
class Reply:
    """A paragraph that answers an item: how it was found (as ``links.Link`` says; "label" when another
    response names it, "similarity" when nothing does) and how sure that is, from 0 to 1."""

    doc_id: str
    paragraph: int
    how: str
    confidence: float

    @property
    def key(self) -> str:
        return f"{self.doc_id}#p{self.paragraph}"

    @property
    def sure(self) -> bool:
        """Sure enough to count for the status, and for a search result to call it a reply."""
        return self.confidence >= LIKELY


@dataclass(frozen=True)
class Record:
    """One recommendation, area for improvement or cause of concern, however many documents quote it.

    ``id`` is the key of the paragraph it opens with in its report ("doc#p12"); ``replies`` are the
    candidates best first; ``decided_by`` the words its ``status`` was read from; ``recurs`` the number of
    the group of near-identical items of other inspections, None when it has none.
    """

    id: str
    inspection: str
    kind: str
    label: str | None
    text: str
    places: tuple[Place, ...]
    deadline: Deadline | None
    replies: tuple[Reply, ...]
    status: str
    decided_by: str | None
    recurs: int | None = None

    @classmethod
    def from_json(cls, data: dict) -> "Record":
        return cls(**{**data, "places": tuple(Place(**{**p, "paragraphs": tuple(p["paragraphs"])})
                                              for p in data["places"]),
                      "deadline": Deadline(**data["deadline"]) if data["deadline"] else None,
                      "replies": tuple(Reply(**r) for r in data["replies"])})


@dataclass(frozen=True)
class Clock:
    """An inspection's 56-day clock on the day asked: overdue when its report has no response after 56 days."""

    inspection: Inspection
    overdue: bool

    def to_json(self) -> dict:
        first = self.inspection.first_response
        return {**asdict(self.inspection), "documents": list(self.inspection.documents),
                "first_response": first.date if first else None, "days": first.days if first else None,
                "overdue": self.overdue}


@dataclass(frozen=True)
class Row:
    """A record as the ledger shows it, with its inspection's clock."""

    record: Record
    clock: Clock

    def to_json(self) -> dict:
        return {**asdict(self.record), "inspection": self.clock.to_json()}


@dataclass
class LedgerView:
    """The records a request asked for, and the clocks of the inspections it covers (those without items too:
    a PCC's comments on a report are on the clock whether or not the report made recommendations)."""

    rows: list[Row]
    clocks: list[Clock]
    today: date
    filters: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"today": self.today.isoformat(), "filters": self.filters, "count": len(self.rows),
                "records": [row.to_json() for row in self.rows], "inspections": [c.to_json() for c in self.clocks]}


@dataclass(frozen=True)
class Counterpart:
    """The paragraph on the other side of a ``Mark``: where it is, its document's title and its address."""

    doc_id: str
    paragraph: int
    title: str
    url: str


@dataclass(frozen=True)
class Mark:
    """What a paragraph is to the ledger, for a search result to say: part of an item (``part`` "item") or a
    sure reply to one ("reply"), the record's id, label, kind and status, and the paragraph on the other side:
    an item's first sure reply (None when it has none), a reply's item."""

    record: str
    part: str
    label: str | None
    kind: str
    status: str
    counterpart: Counterpart | None


@dataclass(frozen=True)
class Quote:
    """A reply as the ledger page shows it: its words and the citation a search result would give it."""

    text: str
    citation: str
    url: str


@dataclass(frozen=True)
class Worked:
    """What a build works out and keeps (``itemise``): the inspections, their records, what each inspection's
    records were worked out from, and the pairs of near-identical records (by id) that ``recurs`` numbers: the
    next build takes each inspection's records as they are where what they came from is unchanged."""

    inspections: list[Inspection]
    records: list[Record]
    made_from: dict[str, str]
    recurring: list[tuple[str, str]]


def write(folder: Path, worked: Worked) -> None:
    # as ``asdict`` gives, without its deep copy of every field (a second at 10,000 records)
    (folder / LEDGER).write_text(json.dumps(vars(worked), ensure_ascii=False, default=vars), encoding="utf-8")


def worked(folder: Path) -> Worked | None:
    """What the build of the generation in ``folder`` worked out, as it kept it; None when it kept no ledger,
    or one that does not say what its records were worked out from (one built before it did)."""
    try:
        data = json.loads((folder / LEDGER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not {"made_from", "recurring"} <= data.keys():
        return None
    return Worked([Inspection.from_json(i) for i in data["inspections"]],
                  [Record.from_json(r) for r in data["records"]], data["made_from"],
                  [tuple(pair) for pair in data["recurring"]])


def check(status: str | None = None, year=None, today=None) -> tuple[str | None, int | None, date | None]:
    """The status and year filters and the day asked (a date or YYYY-MM-DD) as the ledger reads them; raises
    QueryError naming the one at fault."""
    if status:
        wanted = " ".join(status.lower().replace("-", " ").split())
        matching = [s for s in STATUSES if s == wanted or s.startswith(wanted)]
        if len(matching) != 1:
            raise QueryError(f"status: {status!r} is not a status; use one of: {', '.join(STATUSES)}")
        status = matching[0]
    if year not in (None, ""):
        if not str(year).isdigit() or len(str(year)) != 4:
            raise QueryError(f"year: {year!r} is not a year; give four digits, such as 2023")
        year = int(year)
    if isinstance(today, str) and today:
        try:
            today = date.fromisoformat(today)
        except ValueError:
            raise QueryError(f"today: {today!r} is not a date; give YYYY-MM-DD") from None
    return status or None, year or None, today or None


def ledger(index: Index, status: str | None = None, inspectorate: str | None = None, year=None,
           overdue: bool = False, today: date | str | None = None, document: str | None = None) -> LedgerView:
    """The ledger's records, filtered: by status (a status or the start of one: "partly"), inspecting
    body (any case), year of the report's publication (or of its first document, when that is unknown),
    document (the records that stand in it or that it surely answers, and the clock of its inspection)
    and whether the inspection is overdue on ``today`` (default: the real today); raises QueryError."""
    status, year, today = check(status, year, today)
    if document and document not in index.titles:
        raise QueryError(f"document: {document!r} is not an indexed document; give its id, as in /doc/DOC_ID")
    today = today or date.today()
    inspections, records = _read(index.folder / LEDGER, _stamp(index.folder / LEDGER))
    answered = {r.inspection for r in records if r.replies}
    clocks = {i.id: Clock(i, clock.overdue(i.published, bool(i.responses) or i.id in answered, today))
              for i in inspections.values()
              if (not inspectorate or (i.inspectorate or "").lower() == inspectorate.lower())
              and (not year or _year(index, i) == year) and (not document or document in i.documents)}
    clocks = {key: found for key, found in clocks.items() if found.overdue or not overdue}
    rows = [Row(r, clocks[r.inspection]) for r in records
            if r.inspection in clocks and (not status or r.status == status)
            and (not document or _concerns(r, document))]
    filters = {name: value for name, value in (("status", status), ("inspectorate", inspectorate), ("year", year),
                                               ("document", document), ("overdue", overdue)) if value}
    return LedgerView(rows, list(clocks.values()), today, filters)


def marks(index: Index) -> dict[str, tuple[Mark, ...]]:
    """Paragraph key ("doc#p12") -> what that paragraph is to the ledger. Made once per generation, so a page
    of search results looks each result up (a cost per result), never passing over every record."""
    path = index.folder / LEDGER
    return _marks(path, _stamp(path))


def quotes(index: Index, view: LedgerView) -> dict[str, Quote]:
    """The replies to the view's records by paragraph key, with their words and citations, for a page."""
    found = {}
    for key in {reply.key for row in view.rows for reply in row.record.replies}:
        p = index.paragraphs[index.paragraphs.row(key)]
        found[key] = Quote(p.text, citation(p, index.documents.meta(p.doc_id)), p.url)
    return found


def _concerns(record: Record, document: str) -> bool:
    """Whether the record stands in the document or the document surely answers it."""
    return any(p.doc_id == document for p in record.places) or any(
        r.doc_id == document and r.sure for r in record.replies)


def _year(index: Index, inspection: Inspection) -> int | None:
    when = inspection.published or index.documents.meta(inspection.documents[0]).date
    return int(when[:4]) if when else None


def _stamp(path: Path) -> int | None:
    """When the file was written: an index folder removed and built again reuses its generations' names."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@functools.lru_cache(maxsize=4)  # as _read
def _marks(path: Path, stamp: int | None) -> dict[str, tuple[Mark, ...]]:
    inspections, records = _read(path, stamp)
    found: dict[str, list[Mark]] = {}
    for record in records:
        inspection = inspections[record.inspection]
        sure = [reply.key for reply in record.replies if reply.sure]
        first = _counterpart(inspection, sure[0]) if sure else None
        for place in record.places:
            for paragraph in place.paragraphs:
                found.setdefault(f"{place.doc_id}#p{paragraph}", []).append(
                    Mark(record.id, "item", place.label or record.label, record.kind, record.status, first))
        item = _counterpart(inspection, record.id)
        for key in sure:
            found.setdefault(key, []).append(Mark(record.id, "reply", record.label, record.kind, record.status, item))
    return {key: tuple(paragraph_marks) for key, paragraph_marks in found.items()}


def _counterpart(inspection: Inspection, key: str) -> Counterpart:
    doc_id, _, paragraph = key.rpartition("#p")
    titles = {inspection.id: inspection.title, **{r.doc_id: r.title for r in inspection.responses}}
    return Counterpart(doc_id, int(paragraph), titles.get(doc_id, doc_id), f"/doc/{key}")


@functools.lru_cache(maxsize=4)  # a generation's files never change, and a server reads one at a time
def _read(path: Path, stamp: int | None) -> tuple[dict[str, Inspection], list[Record]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexMismatchError(f"{path.parent}: {LEDGER} is missing or damaged; rebuild with: "
                                 f"{index_command(path.parent.parent, rebuild=True)}") from None
    inspections = [Inspection.from_json(i) for i in data["inspections"]]
    return {i.id: i for i in inspections}, [Record.from_json(r) for r in data["records"]]
