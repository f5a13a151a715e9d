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
"""

from __future__ import annotations

import re

from .store import Index

ITEMS = ("recommendation", "area_for_improvement", "cause_of_concern")
RESPONSES = ("force_response", "commissioner_response")
LIKELY = 0.5  # cosine from which a force's response is taken to answer an item


def answers(index: Index, doc_id: str) -> dict[int, list[int]]:
    """Paragraph number of each item -> the paragraph numbers of the responses that answer it."""
    paragraph = {row: index.paragraphs[row] for row in index.paragraphs.rows_of(doc_id)}
    items = [row for row, p in paragraph.items() if p.role in ITEMS]
    # a reply under an item's heading answers it, whoever speaks (a Government response is "other")
    responses = [row for row, p in paragraph.items() if p.role in RESPONSES or (p.label and p.role not in ITEMS)]
    linked: dict[int, list[int]] = {item: [] for item in items}
    afis = sum(1 for item in items if (paragraph[item].label or "").startswith("AFI"))
    unnamed = []
    for response in responses:
        text, under = paragraph[response].text, paragraph[response].label
        by_label = index.named(text)
        named = [item for item in items if item in by_label or _the_afi(text, paragraph[item].label, afis)
                 or (under and paragraph[item].label == under)]
        for item in named:
            linked[item].append(response)
        if not named and paragraph[response].role == "force_response":
            unnamed.append(response)
    for item, response in _in_order(index, [item for item in items if not linked[item]], unnamed):
        linked[item].append(response)
    for item in reversed(items):  # "8.6. We recommend…" "8.7. We further recommend…", then one reply to both
        after = item + 1
        if not linked[item] and after in linked:
            linked[item] = [r for r in linked[after] if paragraph[r].label == paragraph[after].label]
    number = lambda row: paragraph[row].paragraph
    return {number(item): sorted(map(number, found)) for item, found in linked.items()}


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
