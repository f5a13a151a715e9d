"""Which response paragraphs answer which recommendation or area for improvement, in one document.

Responses rarely repeat the number they answer: "The Constabulary is confident
that they already comply with the recommendation appertaining to victim
blaming". A response is linked to the items it names: by label, as
``Index.named`` reads labels ("Recommendation 9", not "Recommendation 9.1"),
or as "the AFI" when there is one. A force's response that names none is
linked to the item it is nearest in meaning, when that is close enough to be
a likely answer; a commissioner's remarks are usually general, so they are
linked only by name.
"""

from __future__ import annotations

import re

from .store import Index

ITEMS = ("recommendation", "area_for_improvement", "cause_of_concern")
RESPONSES = ("force_response", "commissioner_response")
LIKELY = 0.5  # cosine from which a force's response is taken to answer its nearest item


def answers(index: Index, doc_id: str) -> dict[int, list[int]]:
    """Paragraph number of each item -> the paragraph numbers of the responses that answer it."""
    rows = [row for row, p in enumerate(index.paragraphs) if p.doc_id == doc_id]
    items = [row for row in rows if index.paragraphs[row].role in ITEMS]
    responses = [row for row in rows if index.paragraphs[row].role in RESPONSES]
    linked: dict[int, list[int]] = {index.paragraphs[row].paragraph: [] for row in items}
    afis = sum(1 for item in items if (index.paragraphs[item].label or "").startswith("AFI"))
    for response in responses:
        text = index.paragraphs[response].text
        by_label = index.named(text)
        named = [item for item in items if item in by_label or _the_afi(text, index.paragraphs[item].label, afis)]
        if not named and items and index.paragraphs[response].role == "force_response":
            nearest = max(items, key=lambda item: float(index.vectors[item] @ index.vectors[response]))
            if float(index.vectors[nearest] @ index.vectors[response]) >= LIKELY:
                named = [nearest]
        for item in named:
            linked[index.paragraphs[item].paragraph].append(index.paragraphs[response].paragraph)
    return linked


def _the_afi(text: str, label: str | None, afis: int) -> bool:
    """Whether a response names the item as "the AFI": it is the document's one AFI."""
    return afis == 1 and (label or "").startswith("AFI") and re.search(r"\bthe AFI\b", text) is not None
