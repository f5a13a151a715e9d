"""Typed records passed between the steps: Document -> Block/Paragraph -> Result.

They are plain frozen dataclasses so that they can be written to and read from
the index folder as JSON without a schema library.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

ROLES = {
    "summary": "Summary",
    "recommendation": "Recommendation",
    "area_for_improvement": "Area for improvement",
    "cause_of_concern": "Cause of concern",
    "force_response": "Force response",
    "commissioner_response": "Commissioner's response",
    "other": "Other",
}
DOC_TYPES = {
    "inspection": "Inspection report or letter",
    "pcc_response": "PCC response",
    "force_response": "Force response",
    "briefing": "Briefing",
    "other": "Other",
}


@dataclass(frozen=True)
class Block:
    """One piece of a document as the document view shows it.

    ``kind`` is ``paragraph`` (indexed, numbered from 1), ``heading`` (becomes the
    section of the paragraphs below it), ``table`` (label/value rows such as an
    inspection summary table) or ``meta`` (letterheads, signature blocks: shown,
    not searched). ``page`` is the 1-based page of a PDF the block starts on.
    A paragraph's ``role`` is a key of ROLES and ``label`` names the numbered
    item it belongs to ("Recommendation 9", "AFI 1"), when it has one.
    """

    kind: str
    text: str
    section: str | None = None
    paragraph: int | None = None
    page: int | None = None
    role: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Metadata:
    """What a citation and a filter need to know about a document.

    ``date`` is the one date shown and sorted on: signed, else published, else
    a date in the file name. ``doc_type`` is a key of DOC_TYPES.
    """

    title: str
    date: str | None = None
    published: str | None = None
    signed: str | None = None
    doc_type: str = "other"
    inspectorate: str | None = None
    inspection_type: str | None = None
    author: str | None = None
    author_role: str | None = None
    area: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class Document:
    doc_id: str
    source: str
    meta: Metadata
    blocks: tuple[Block, ...]

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def date(self) -> str | None:
        return self.meta.date

    def paragraphs(self) -> list["Paragraph"]:
        return [
            Paragraph(self.doc_id, b.paragraph, b.text, b.section, self.title, self.date, self.source,
                      b.page, b.role or "other", b.label)
            for b in self.blocks
            if b.kind == "paragraph"
        ]

    def to_json(self) -> dict:
        """As ``asdict``, without its deep copy of every block (seconds at 100,000 paragraphs): all are flat."""
        return {"doc_id": self.doc_id, "source": self.source, "meta": dict(vars(self.meta)),
                "blocks": [dict(vars(block)) for block in self.blocks]}

    @classmethod
    def from_json(cls, data: dict) -> "Document":
        blocks = tuple(Block(**b) for b in data["blocks"])
        return cls(data["doc_id"], data["source"], Metadata(**data["meta"]), blocks)


@dataclass(frozen=True)
class Paragraph:
    """The unit of search: a paragraph with the context needed to cite it."""

    doc_id: str
    paragraph: int
    text: str
    section: str | None
    title: str
    date: str | None
    source: str
    page: int | None = None
    role: str = "other"
    label: str | None = None

    @property
    def key(self) -> str:
        """Stable id of the paragraph across index generations (also its URL fragment)."""
        return f"{self.doc_id}#p{self.paragraph}"

    @property
    def url(self) -> str:
        return f"/doc/{self.key}"
