"""Typed records passed between the steps: Document -> Block/Paragraph -> Result.

They are plain frozen dataclasses so that they can be written to and read from
the index folder as JSON without a schema library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Block:
    """One piece of a document as the document view shows it.

    ``kind`` is ``paragraph`` (indexed, numbered from 1), ``heading`` (becomes the
    section of the paragraphs below it), ``table`` (label/value rows such as an
    inspection summary table) or ``meta`` (letterheads, signature blocks: shown,
    not searched).
    """

    kind: str
    text: str
    section: str | None = None
    paragraph: int | None = None


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    date: str | None
    source: str
    blocks: tuple[Block, ...]

    def paragraphs(self) -> list["Paragraph"]:
        return [
            Paragraph(self.doc_id, b.paragraph, b.text, b.section, self.title, self.date, self.source)
            for b in self.blocks
            if b.kind == "paragraph"
        ]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Document":
        blocks = tuple(Block(**b) for b in data["blocks"])
        return cls(**{**data, "blocks": blocks})


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

    @property
    def url(self) -> str:
        return f"/doc/{self.doc_id}#p{self.paragraph}"
