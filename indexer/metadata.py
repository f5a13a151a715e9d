"""A document's metadata, read from its text the way a person would read it.

Responses put these in different places: a summary table ("Title of Inspection",
"Date Inspection Published", "Type of Inspection"), a signature block ("David
Keane / Police & Crime Commissioner / 15 October 2019"), the opening sentence
("…Thematic Report that was published 27 February 2020"), or only the file name
("2020-04-17-…"). Each field is looked for in that order of trust, and left
empty rather than guessed when none of them says it; a sidecar file can
supply or correct any field (see ``sidecar``).
"""

from __future__ import annotations

import re
from datetime import date

from .records import DOC_TYPES, ROLES, Block, Metadata, Paragraph

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})\s*(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATE_PATTERNS = [
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\s*,?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY}\s*,\s*{_YEAR}\b", re.IGNORECASE),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
]
_TITLE_LABELS = ("title of inspection", "title of report", "title")


def parse_date(text: str) -> str | None:
    """The first full calendar date in ``text`` as ISO ``YYYY-MM-DD``, or None."""
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            month = match.group("month")
            month = int(month) if month.isdigit() else _MONTHS[month.lower()]
            try:
                return date(int(match.group("year")), month, int(match.group("day"))).isoformat()
            except ValueError:
                continue
    return None


def long_date(iso: str | None) -> str | None:
    """'2019-10-15' -> '15 October 2019', the way the letters write dates; a year alone stays one."""
    if not iso or len(iso) == 4:
        return iso
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def citation(p: Paragraph, meta: Metadata) -> str:
    """A reference to paste: 'Author, Title, 6 June 2023, Commissioner's response, p. 12 ¶3'."""
    where = f"p. {p.page} ¶{p.paragraph}" if p.page else f"¶{p.paragraph}"
    part = p.label or (ROLES[p.role] if p.role != "other" else p.section)
    parts = [meta.author, meta.title, long_date(meta.date), part if part != meta.title else None, where]
    return ", ".join(x for x in parts if x)


def table_fields(blocks: list[Block]) -> dict[str, str]:
    """Label -> value from summary tables (first cell is the label), labels lower-cased."""
    fields: dict[str, str] = {}
    for block in blocks:
        if block.kind != "table":
            continue
        for row in block.text.split("\n"):
            label, _, value = row.partition("\t")
            if value:
                fields.setdefault(label.strip().lower(), value.replace("\t", " ").strip())
    return fields


def document_title(blocks: list[Block], stem: str) -> str:
    """A title table field, else the longest heading above the first paragraph, else the file name.

    The longest heading is the most specific one: letters carry an
    organisation banner and a "Response of …" line above the inspection's name.
    """
    fields = table_fields(blocks)
    for label in _TITLE_LABELS:
        if fields.get(label):
            return fields[label]
    headings = []
    for block in blocks:
        if block.kind == "paragraph":
            break
        if block.kind == "heading":
            headings.append(block.text)
    if headings:
        return max(headings, key=len)
    name = re.sub(r"^\d{4}(?:-\d{2}){0,2}[-_ ]*", "", stem)
    name = re.sub(r"[-_]+", " ", name).strip() or stem
    return name[:1].upper() + name[1:]


_INSPECTION_TYPES = [
    (re.compile(r"joint targeted area inspection|\bJTAI\b", re.I), "JTAI"),
    (re.compile(r"\bPEEL\b"), "PEEL"),
    (re.compile(r"post-inspection review", re.I), "Post-inspection review"),
    (re.compile(r"focused visit", re.I), "Focused visit"),
    (re.compile(r"\bthematic\b", re.I), "National Thematic"),
]
_INSPECTORATES = [
    (re.compile(r"\bHMICFRS\b|\bHMIC\b|Inspectorate of (?:Constabulary|Police)", re.I), "HMICFRS"),
    (re.compile(r"\bOfsted\b", re.I), "Ofsted"),
    (re.compile(r"\bCQC\b|Care Quality Commission"), "CQC"),
    (re.compile(r"\bHMI ?Probation\b|\bHMIP\b|Inspectorate of Probation", re.I), "HMI Probation"),
]
_ROLE_WORDS = re.compile(r"\b(?:Commissioner|Constable|Inspector|Director|Chief|Chair|Minister|Secretary|Head of|Leader)\b")
_PERSON = re.compile(r"^(?:(?:Dr|Mr|Mrs|Ms|Sir|Dame)\.? )?[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3}$")
_PLACE = r"([A-Z][a-z]+(?:[ -](?:and |upon |on )?[A-Z][a-z]+)*)"
_NATIONAL = {"England", "Wales", "England and Wales", "the United Kingdom", "United Kingdom", "Scotland", "Britain"}


def describe(blocks: list[Block], stem: str) -> Metadata:
    """All the metadata the text gives; ``stem`` is the file name without extension."""
    fields = table_fields(blocks)
    title = document_title(blocks, stem)
    headings = [b.text for b in blocks if b.kind == "heading"]
    first = next((b.text for b in blocks if b.kind == "paragraph"), "")
    opening = "\n".join([title, *headings, *fields.values(), first])
    published = _published(fields, blocks)
    signed = _signed(blocks)
    author, role = _signatory(blocks)
    inspection_type = _labelled(fields, "type of inspection") or _first_match(_INSPECTION_TYPES, opening)
    return Metadata(
        title=title,
        date=signed or published or _named_date(stem),
        published=published,
        signed=signed,
        doc_type=_doc_type(stem, title, headings, role),
        inspectorate=_inspectorate(title, opening, inspection_type),
        inspection_type=inspection_type,
        author=author,
        author_role=role,
        area=_area(title, headings, role, first),
    )


def _named_date(stem: str) -> str | None:
    """The date a file name starts with ('2019-10-15-pcc-response'), or its year alone ('2019-halton-…'):
    the last resort for a document whose text is not dated."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?!\d)", stem)
    if match and parse_date(match.group(1)):
        return parse_date(match.group(1))
    match = re.match(r"((?:19|20)\d{2})(?!\d)", stem)
    return match.group(1) if match else None


def _labelled(fields: dict[str, str], label: str) -> str | None:
    value = fields.get(label, "").strip()
    return value or None


def _first_match(patterns, text: str) -> str | None:
    """The value of the pattern matching earliest in ``text``."""
    found = [(m.start(), value) for pattern, value in patterns for m in [pattern.search(text)] if m]
    return min(found)[1] if found else None


def _published(fields: dict[str, str], blocks: list[Block]) -> str | None:
    """A 'published' table field, else '…published (on the) <date>' in the first paragraphs."""
    for label, value in fields.items():
        if "publish" in label and parse_date(value):
            return parse_date(value)
    paragraphs = [b.text for b in blocks if b.kind == "paragraph"][:3]
    for text in paragraphs:
        match = re.search(r"\bpublished\s+(?:on\s+)?(?:the\s+)?(.{6,25})", text)
        if match and parse_date(match.group(1)):
            return parse_date(match.group(1))
    return None


def _closing_lines(blocks: list[Block]) -> list[str]:
    """The lines of the meta blocks after the last paragraph: the signature block."""
    last = max((i for i, b in enumerate(blocks) if b.kind == "paragraph"), default=-1)
    return [line.strip() for b in blocks[last + 1:] if b.kind == "meta" for line in b.text.split("\n")]


def _signed(blocks: list[Block]) -> str | None:
    dated = [line for line in _closing_lines(blocks) if parse_date(line) and len(line.split()) <= 5]
    return parse_date(dated[-1]) if dated else None


def _signatory(blocks: list[Block]) -> tuple[str | None, str | None]:
    """(name, role) from a signature block: a person's name directly above a role line."""
    lines = _closing_lines(blocks)
    for above, line in zip(lines, lines[1:]):
        if _ROLE_WORDS.search(line) and _PERSON.match(above) and not _ROLE_WORDS.search(above):
            return above, line
    return None, None


def _doc_type(stem: str, title: str, headings: list[str], role: str | None) -> str:
    said = " ".join([stem.replace("-", " "), title, *headings])
    if re.search(r"\bbriefing\b", said, re.I):
        return "briefing"
    if (role and "Commissioner" in role) or re.search(r"\b(?:PCC|OPCC)s?\b.*\bresponse|commissioner['’]?s? response", said, re.I):
        return "pcc_response"
    if (role and "Constable" in role) or re.search(r"\b(?:force|constabulary)\b.*\bresponse", said, re.I):
        return "force_response"
    if (role and "Inspector" in role) or _first_match(_INSPECTORATES, title) or re.search(r"\binspection\b", title, re.I):
        return "inspection"
    return "other"


def _inspectorate(title: str, opening: str, inspection_type: str | None) -> str | None:
    named_in_title = {value for pattern, value in _INSPECTORATES if pattern.search(title)}
    if inspection_type == "JTAI" or len(named_in_title) > 1 or re.search(r"\bjoint inspection\b", opening, re.I):
        return "Joint"
    return _first_match(_INSPECTORATES, title) or _first_match(_INSPECTORATES, opening)


def _area(title: str, headings: list[str], role: str | None, first: str) -> str | None:
    """The force or local authority: 'in Halton' in the title, '… for Cheshire', 'in Halton' in the opening."""
    places = [m for m in re.findall(rf"\bin {_PLACE}", title) if m not in _NATIONAL]
    if places:
        return places[-1]
    for text in [role or "", *headings]:
        match = re.search(rf"\b(?:Commissioner|Constable|Council|Police|Mayor) for {_PLACE}", text)
        if match:
            return match.group(1)
    places = [m for m in re.findall(rf"\bin {_PLACE}", first) if m not in _NATIONAL]
    return places[-1] if places else None


def context(meta: Metadata) -> str:
    """The words that scope a search to a document: "John Dwyer 2023 Cheshire HMICFRS …"."""
    years = {d[:4] for d in (meta.date, meta.published, meta.signed) if d}
    parts = [meta.author, meta.author_role, meta.area, meta.inspectorate, meta.inspection_type,
             DOC_TYPES.get(meta.doc_type), *sorted(years)]
    return " ".join(p for p in parts if p and p != "Other")
