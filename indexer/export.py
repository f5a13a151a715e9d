"""Search results as files to take into a meeting: CSV for a spreadsheet, Markdown for a brief; the
ledger as CSV.

An export holds every match of the search (``search.every_match``), on all
pages, with its filters and order. Document text is not trusted: a CSV cell that a
spreadsheet would run as a formula is prefixed with an apostrophe, and in
Markdown every character that could start a link, emphasis, HTML or a block
gets a CommonMark backslash escape, so a pasted brief renders the words as
written and its raw text still reads (``Fire & Rescue``, not ``Fire &amp; Rescue``).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from .facets import FACETS
from .ledger import LedgerView
from .metadata import long_date
from .records import ROLES
from .search import SearchResponse
from .vocabulary import Expansion

COLUMNS = ("rank", "citation", "title", "author", "date", "doc_type", "section", "role", "label", "page",
           "paragraph", "score", "link", "text")
LEDGER_COLUMNS = ("label", "kind", "status", "decided_by", "inspection", "inspectorate", "published",
                  "first_response", "days", "overdue", "deadline", "due", "places", "replies", "link", "text")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# Inline: code, emphasis (GFM's ~ too), links, tables, HTML, and & only where it could begin an entity.
_INLINE = re.compile(r"[\\`*_~\[\]#|<]|&(?=#?[0-9A-Za-z]+;)")
# At a line's start: a list item, quote, setext underline or thematic break (``1.`` escapes its dot).
_BLOCK = re.compile(r"^(?:\d{1,9}(?=[.)](?:\s|$))|(?=[-+=>]))")


def to_csv(response: SearchResponse, base_url: str) -> str:
    """One row per paragraph, with a header row; links are absolute so the file works on its own.
    It opens with a byte-order mark: without one, Excel reads UTF-8 as Windows-1252 ("Â¶" for "¶")."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in response.results:
        row = (r.rank, r.citation, r.title, r.author, r.date, r.doc_type, r.section, ROLES.get(r.role, r.role),
               r.label, r.page, r.paragraph, r.score, base_url + r.url, r.text)
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def ledger_csv(view: LedgerView, base_url: str = "") -> str:
    """One row per ledger record, its first three replies in one cell; cells defused and a byte-order mark
    as in ``to_csv``."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LEDGER_COLUMNS)
    for row in view.rows:
        r, i = row.record, row.clock.inspection
        first = i.first_response
        places = "; ".join(f"{p.doc_id} ¶{', '.join(map(str, p.paragraphs))}" for p in r.places)
        replies = "; ".join(f"{x.doc_id} ¶{x.paragraph} ({x.how}, {x.confidence:.2f})" for x in r.replies[:3])
        values = (r.label, ROLES.get(r.kind, r.kind), r.status, r.decided_by, i.title, i.inspectorate, i.published,
                  first.date if first else None, first.days if first else None, "yes" if row.clock.overdue else "no",
                  r.deadline.said if r.deadline else None, r.deadline.due if r.deadline else None, places, replies,
                  base_url + f"/doc/{r.id}", r.text)
        writer.writerow([_cell(value) for value in values])
    return out.getvalue()


def to_markdown(response: SearchResponse, base_url: str, today: date | None = None) -> str:
    """A brief: what was searched, how it was narrowed, when, then each paragraph with its citation."""
    today = today or date.today()
    lines = [f"# Precedent: {_md(response.query)}", ""]
    lines.append(f"- Searched: {_md(response.query)} ({response.mode}, {response.sort})")
    if response.also_searched:
        lines.append(f"- Also searched: {_md(expansions(response.also_searched))}")
    if response.also_excluded:
        lines.append(f"- Also left out: {_md(expansions(response.also_excluded))}")
    lines.append(f"- Filters: {_md(describe(response)) or 'none'}")
    lines.append(f"- Date: {long_date(today.isoformat())}")
    lines.append(f"- Paragraphs: {len(response.results)}"
                 + (f" of {response.total}" if response.total > len(response.results) else ""))
    for r in response.results:
        lines += ["", f"## {r.rank}. {_md(r.citation)}", ""]
        lines += [_quote(line) for line in r.text.splitlines()]
        lines += ["", f"[Open the paragraph]({base_url}{r.url})"]
    return "\n".join(lines) + "\n"


def expansions(found: list[Expansion]) -> str:
    """What a search also looked for (or left out), as read aloud: 'child sexual exploitation (for CSE); …'."""
    return "; ".join(f"{', '.join(e.also)} (for {e.said})" for e in found)


def describe(response: SearchResponse) -> str:
    """The filters in words: 'Year: 2019 or 2020; Paragraph role: Recommendation; from 2019', each
    value as the response's facets show it (a document by its title; a chosen value is always there)."""
    filters = response.filters
    shown = {(f.name, v.value): v.label for f in response.facets for v in f.values}
    parts = [f"{facet.label}: " + " or ".join(shown[facet.name, v] for v in filters.chosen[facet.name])
             for facet in FACETS if facet.name in filters.chosen]
    if filters.date_from:
        parts.append(f"from {filters.date_from}")
    if filters.date_to:
        parts.append(f"to {filters.date_to}")
    return "; ".join(parts)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _quote(line: str) -> str:
    """A line of the paragraph as a quote line; stripped, as indentation would make it code."""
    line = _md(line.strip())
    return "> " + _BLOCK.sub(r"\g<0>\\", line) if line else ">"


def _md(text: str) -> str:
    """Text that Markdown shows as written: no links, emphasis or HTML from the document, on one line."""
    return _INLINE.sub(r"\\\g<0>", re.sub(r"[\r\n]+", " ", text))
