"""The dates a ledger keeps: an item's deadline and the statutory clock of the responses to a report.

A PCC must publish comments on each HMICFRS report within 56 days of its
publication (Police Act 1996, s.55). So the clock runs from the report's
publication to each response, and a report with none after 56 days is overdue.
A date is used only when it is read in full: a response dated "January 2026",
or only by its file name's year, has an unknown date, never the 1st.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .metadata import parse_date

STATUTORY_DAYS = 56
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24}
_WHEN = r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Z][a-z]+\.?\s+\d{4}|\d{4}"
_BY = re.compile(rf"\b(?:by|before|no later than|not later than)\s+(?:the\s+end\s+of\s+)?(?P<when>{_WHEN})\b", re.I)
_WITHIN = re.compile(rf"\bwithin\s+(?:the\s+next\s+)?(?P<count>\d+|{'|'.join(_NUMBERS)})\s+"
                     r"(?P<unit>day|week|month|year)s?\b", re.I)
_NOW = re.compile(r"\bwith immediate effect\b|\bimmediately\b", re.I)


@dataclass(frozen=True)
class Deadline:
    """What an item says of when it is due (``said``), and the date that is (``due``): ISO, as precise as
    it says ("2024-12-31", "2025-03", "2024"), or None when it runs from a publication date not known."""

    said: str
    due: str | None


def full(iso: str | None) -> str | None:
    """``iso`` when it is a whole date (YYYY-MM-DD), else None: a month or a year alone is not a day."""
    return iso if iso and len(iso) == 10 else None


def days(start: str | None, end: str | None) -> int | None:
    """Days from one whole date to another; None when either is unknown."""
    if not (full(start) and full(end)):
        return None
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def overdue(published: str | None, answered: bool, today: date) -> bool:
    """Whether a report published on ``published`` has gone unanswered past the statutory 56 days."""
    return not answered and full(published) is not None and \
        (today - date.fromisoformat(published)).days > STATUTORY_DAYS


def deadline(text: str, published: str | None) -> Deadline | None:
    """The deadline an item states ("By 31 December 2024", "within six months", "with immediate effect"),
    counted from the report's publication where it is relative; None when it states none."""
    for match in _BY.finditer(text):  # "by Ofsted 2019" is no date
        if when := _when(match.group("when")):
            return Deadline(match.group(0), when)
    if match := _WITHIN.search(text):
        count = match.group("count").lower()
        count = int(count) if count.isdigit() else _NUMBERS[count]
        return Deadline(match.group(0), _after(full(published), count, match.group("unit").lower()))
    if match := _NOW.search(text):
        return Deadline(match.group(0), full(published))
    return None


def _when(text: str) -> str | None:
    """'31 December 2024' -> '2024-12-31', 'March 2025' -> '2025-03', '2024' -> '2024'; None if unreadable."""
    if text.isdigit():
        return text
    if whole := parse_date(text):
        return whole
    for pattern in ("%B %Y", "%b %Y", "%b. %Y"):
        try:
            return datetime.strptime(text, pattern).strftime("%Y-%m")
        except ValueError:
            continue
    return None


def _after(start: str | None, count: int, unit: str) -> str | None:
    if start is None:
        return None
    day = date.fromisoformat(start)
    if unit in ("day", "week"):
        return (day + timedelta(days=count * (7 if unit == "week" else 1))).isoformat()
    months = day.month - 1 + count * (12 if unit == "year" else 1)
    year, month = day.year + months // 12, months % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1])).isoformat()
