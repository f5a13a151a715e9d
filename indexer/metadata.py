"""Document title and date, read from the text the way a person would read them.

Responses put these in different places: a summary table ("Title of Inspection",
"Date Inspection Published"), a signature block ("David Keane / Police & Crime
Commissioner / 15 October 2019"), or only the file name ("2020-04-17-…").
"""

from __future__ import annotations

import re
from datetime import date

from .records import Block

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


def document_date(blocks: list[Block], stem: str) -> str | None:
    """A dated table field, else the last date line of a signature block, else the file name."""
    for label, value in table_fields(blocks).items():
        if "date" in label and parse_date(value):
            return parse_date(value)
    signed = [
        line
        for block in blocks
        if block.kind == "meta"
        for line in block.text.split("\n")
        if parse_date(line) and len(line.split()) <= 5
    ]
    if signed:
        return parse_date(signed[-1])
    match = re.match(r"(\d{4}-\d{2}-\d{2})", stem)
    return parse_date(match.group(1)) if match else None


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
