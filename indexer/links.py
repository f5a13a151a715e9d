"""Which response paragraphs answer which recommendation or area for improvement, in one document.

Responses rarely repeat the number they answer: "The Constabulary is confident
that they already comply with the recommendation appertaining to victim
blaming". A response is linked to the item it stands under (a reply below the
quoted item carries the item's label, see ``roles``) and to the items it names:
by label, as ``Index.named`` reads labels ("Recommendation 9", not
"Recommendation 9.1"), or as "the AFI" when there is one. A force's responses that name none answer
the items no response names, in the items' order: each such item is linked to
the response nearest it in meaning, when that is close enough to be a likely
answer, under the constraint that later items are answered no earlier in the
letter (one response may answer several items in a row). Nearest alone would
send "an assessment of … group based CSE" to the AFI on group-based CSE, while
the letter answers Recommendations 2 and 4 there and the AFI two paragraphs on.
A commissioner's remarks are usually general, so they are linked only by name.
Items in a row with no reply between them share the replies under the last.
A reply under a heading answers the nearest item above it that bears the
heading's label: a response that numbers two items alike ("8.32" twice) answers
each below it.

Each link says how it was found and how sure that is (``Link``), for the
ledger to show and to order a record's candidates by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .store import Index

ITEMS = ("recommendation", "area_for_improvement", "cause_of_concern")
RESPONSES = ("force_response", "commissioner_response")
LIKELY = 0.5  # cosine from which a force's response is taken to answer an item
SURE = {"heading": 1.0, "label": 1.0, "the AFI": 0.9}  # the confidence of a link found by name


@dataclass(frozen=True)
class Link:
    """Row ``response`` answers item row ``item``; ``how``: heading (the reply stands under the item), label
    (it names the item), the AFI, order (nearest in meaning, in the letter's order) or shared (the replies to
    the item after it, answered together); ``confidence`` from 0 to 1."""

    item: int
    response: int
    how: str
    confidence: float


def answers(index: Index, doc_id: str) -> dict[int, list[int]]:
    """Paragraph number of each item -> the paragraph numbers of the responses that answer it."""
    rows = index.paragraphs.rows_of(doc_id)
    number = {row: index.paragraphs[row] for row in rows}
    found: dict[int, list[int]] = {row: [] for row, p in number.items() if p.role in ITEMS}
    for link in links(index, doc_id):
        found[link.item].append(link.response)
    return {number[item].paragraph: sorted(number[r].paragraph for r in replies) for item, replies in found.items()}


def links(index: Index, doc_id: str, quoted: frozenset[int] = frozenset()) -> list[Link]:
    """Every link from a response paragraph of the document to an item of it, by item, then response row.

    ``quoted`` rows are part of an item though not marked so: a response quoting the rest of a
    recommendation whose first paragraph it numbers ("8.18. …" then two paragraphs of it).
    """
    paragraph = {row: index.paragraphs[row] for row in index.paragraphs.rows_of(doc_id)}
    items = [row for row, p in paragraph.items() if p.role in ITEMS or row in quoted]
    # a reply under an item's heading answers it, whoever speaks (a Government response is "other")
    responses = [row for row, p in paragraph.items()
                 if row not in quoted and (p.role in RESPONSES or (p.label and p.role not in ITEMS))]
    linked: dict[int, list[Link]] = {item: [] for item in items}
    afis = sum(1 for item in items if (paragraph[item].label or "").startswith("AFI"))
    unnamed = []
    for response in responses:
        text, under = paragraph[response].text, paragraph[response].label
        by_label = index.named(text)
        above = max((item for item in items if item < response and paragraph[item].label == under), default=None)
        found = 0
        for item in items:
            how = ("heading" if under and item == above else "label" if item in by_label
                   else "the AFI" if _the_afi(text, paragraph[item].label, afis) else None)
            if how:
                linked[item].append(Link(item, response, how, SURE[how]))
                found += 1
        if not found and paragraph[response].role == "force_response":
            unnamed.append(response)
    for item, response in _in_order(index, [item for item in items if not linked[item]], unnamed):
        likeness = float(index.vectors[item] @ index.vectors[response])
        linked[item].append(Link(item, response, "order", round(likeness, 3)))
    shares: dict[int, str | None] = {}  # item -> the label of the replies it shares
    for item in reversed(items):  # "8.6. We recommend…" "8.7. We further recommend…", then one reply to both
        after = item + 1
        if not linked[item] and after in linked:
            shares[item] = label = shares.get(after, paragraph[after].label)
            linked[item] = [Link(item, link.response, "shared", link.confidence) for link in linked[after]
                            if paragraph[link.response].label == label]
    return sorted((link for found in linked.values() for link in found), key=lambda link: (link.item, link.response))


def _in_order(index: Index, items: list[int], responses: list[int]) -> list[tuple[int, int]]:
    """(item, response) pairs of greatest total likeness, each item answered at most once and only
    at LIKELY or above, and no item answered earlier in the letter than the item before it."""
    likeness = [[float(index.vectors[item] @ index.vectors[response]) for response in responses] for item in items]
    # best[i][j]: the greatest total for the first i items answered by responses[:j + 1] at the latest
    best = [[0.0] * len(responses) for _ in range(len(items) + 1)]
    for i, row in enumerate(likeness, start=1):
        for j, score in enumerate(row):
            best[i][j] = max(best[i - 1][j], best[i][j - 1] if j else 0.0,
                             best[i - 1][j] + score if score >= LIKELY else 0.0)
    pairs, j = [], len(responses) - 1
    for i in range(len(items), 0, -1):  # walk back along the choices that made each best
        while j > 0 and best[i][j] == best[i][j - 1]:
            j -= 1
        if j >= 0 and best[i][j] != best[i - 1][j]:
            pairs.append((items[i - 1], responses[j]))
    return pairs[::-1]


def _the_afi(text: str, label: str | None, afis: int) -> bool:
    """Whether a response names the item as "the AFI": it is the document's one AFI."""
    return afis == 1 and (label or "").startswith("AFI") and re.search(r"\bthe AFI\b", text) is not None
