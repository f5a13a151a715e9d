"""What each paragraph is: a finding, a recommendation, a response to one.

Staff ask for "only the Commissioner's response" or "what did we say to
Recommendation 9", so every paragraph gets a ``role`` (a key of
``records.ROLES``) and, for numbered items, a ``label``. Both come from the
paragraph's own lead label ("AFI 1 - …", "Recommendation 3: …"), else from
its section heading, else from the kind of document: a paragraph in a PCC
response that sits under no telling heading is the Commissioner speaking.

A response quotes each item under its heading and answers below it
("Recommendation 8" / the recommendation / "The Government agrees…"): there
only the first paragraph under the heading is the item; the ones after it keep
the item's label (they are about it) and take the document's own voice.
Inspection reports state items, so there every paragraph under an item's
heading is part of it. Committee reports number recommendations as paragraphs
("8.5. We urge…") under a heading that names them; such a paragraph is the
item "Recommendation 8.5", and the unnumbered replies below it answer it. Their
final chapter ("CHAPTER 8: CONCLUSIONS AND RECOMMENDATIONS") puts each item
under a sub-heading of its own topic, so the chapter's heading holds until the
next chapter's: there every numbered paragraph ("8.5.", "12.") is an item and
the unnumbered ones after it under the same sub-heading are the rest of it. A
response that loses an item's heading still numbers it in the list's sequence
("8.25." … "8.26."), and an item that ends "…should:" goes on in the
lower-case points below it, which are part of it, not a reply.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .records import Block

_NUMBERED = [
    # numbers as written: "Recommendation 9.1" is not Recommendation 9
    (re.compile(r"^(?:recommendation|rec\.?)\s*(\d+(?:\.\d+)*[a-z]?)\b", re.I), "recommendation", "Recommendation {}"),
    (re.compile(r"^(?:AFI|area for improvement)\s*(\d+(?:\.\d+)*)\b", re.I), "area_for_improvement", "AFI {}"),
    (re.compile(r"^cause of concern\s*(\d+(?:\.\d+)*)\b", re.I), "cause_of_concern", "Cause of concern {}"),
]
_SECTIONS = [
    (re.compile(r"(?:commissioner|\bpcc|\bopcc)['’]?s?\s+response|response of\b.*\bcommissioner", re.I),
     "commissioner_response"),
    (re.compile(r"(?:constabulary|force|chief constable)['’]?s?\s+response", re.I), "force_response"),
    (re.compile(r"\bsummary\b|\bkey findings\b", re.I), "summary"),
    (re.compile(r"^recommendations?\b", re.I), "recommendation"),
    (re.compile(r"\bareas? for improvement\b", re.I), "area_for_improvement"),
    (re.compile(r"\bcauses? of concern\b", re.I), "cause_of_concern"),
]
_DEFAULT = {"pcc_response": "commissioner_response", "force_response": "force_response"}
# committee reports and the responses to them number their recommendations as paragraphs ("8.5. We
# urge ministers…") under a heading that says so ("Conclusions and recommendations")
_LISTS_ITEMS = re.compile(r"recommendation", re.I)
_DOTTED = re.compile(r"^(\d+(?:\.\d+)+)\.?\s")
_PLAIN = re.compile(r"^(\d{1,3})\.\s")  # "12. The Government should…", an item only in a chapter of them
_CHAPTER = re.compile(r"^(?:chapter|part|section|appendix|annexe?)\s+(?:\d+|[IVXLC]+)\b", re.I)
# a point of a list: "take steps…", "• …", "(a) …"
_POINT = re.compile(r"^(?:[a-z]|[•·▪●–-]\s|\(?[a-z]\)\s|\(?[ivx]+\)\s)")
_RESPONSES = ("pcc_response", "force_response")
_ITEMS = ("recommendation", "area_for_improvement", "cause_of_concern")
_CONTINUED = 2  # how far a number may run on from the last item's ("8.25." then "8.26.") without its heading


def assign_roles(blocks: list[Block], doc_type: str) -> list[Block]:
    """The blocks with ``role`` and ``label`` set on every paragraph."""
    result, quoted = [], set()  # the item headings whose first paragraph has been seen
    latest: dict[str | None, str] = {}  # section -> its last numbered paragraph's label
    listing = False  # under a chapter heading that names recommendations
    item, points = None, False  # the last item; whether the paragraph before is it or one of its points
    for block in blocks:
        if block.kind == "heading" and _chapter(block.text):
            listing, item = _LISTS_ITEMS.search(block.text) is not None, None
        if block.kind == "paragraph":
            found = _role(block, doc_type)
            number = _item_number(block.text, listing or _LISTS_ITEMS.search(block.section or ""), item)
            follows = item is not None and block.section == item.section
            if follows and points and _POINT.match(block.text):
                found = {"role": item.role, "label": item.label}  # a point of the item
            elif not found["label"] and number:
                found = {"role": "recommendation", "label": f"Recommendation {number}"}
                latest[block.section] = found["label"]
            elif not found["label"] and follows and listing and doc_type not in _RESPONSES:
                found = {"role": item.role, "label": item.label}  # the rest of the item
            elif not found["label"] and block.section in latest and doc_type != "inspection":
                found["label"] = latest[block.section]  # the reply below a numbered item
            elif doc_type != "inspection" and found["label"] and not _numbered(block.text):
                if block.section in quoted:  # an answer below the quoted item
                    found["role"] = _DEFAULT.get(doc_type, "other")
                quoted.add(block.section)
            block = replace(block, **found)
            if found["label"] and found["role"] in _ITEMS and not (follows and block.label == item.label):
                item = block
            points = item is not None and block.label == item.label and block.role == item.role \
                and (block.text.rstrip().endswith(":") or (points and _POINT.match(block.text) is not None))
        result.append(block)
    return result


def _chapter(heading: str) -> bool:
    """Whether a heading opens a chapter (its sub-headings do not end it): "CHAPTER 8: …", "APPENDIX 1",
    or one in capitals ("SUMMARY OF CONCLUSIONS AND RECOMMENDATIONS")."""
    letters = [c for c in heading if c.isalpha()]
    capitals = len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
    return capitals or _CHAPTER.match(heading) is not None


def _item_number(text: str, in_list: bool, item: Block | None) -> str | None:
    """The number a paragraph opens with when it numbers an item: in a list of them, or the next few of
    the last item's list ("8.26." after "8.25.", wherever its heading went)."""
    if match := _DOTTED.match(text):
        number = match.group(1)
        if in_list:
            return number
        last = (item.label or "").removeprefix("Recommendation ") if item else ""
        head, _, tail = number.rpartition(".")
        before, _, end = last.rpartition(".")
        if head == before and end.isdigit() and 0 <= int(tail) - int(end) <= _CONTINUED:
            return number
    elif in_list and (match := _PLAIN.match(text)):
        return match.group(1)
    return None


def _numbered(text: str) -> dict | None:
    """The role and label of an item that ``text`` names at its start ("AFI 1 - …"), or None."""
    for pattern, role, label in _NUMBERED:
        if match := pattern.match(text):
            return {"role": role, "label": label.format(match.group(1))}
    return None


def _role(block: Block, doc_type: str) -> dict:
    for text in (block.text, block.section or ""):
        if found := _numbered(text):
            return found
    for pattern, role in _SECTIONS:
        if pattern.search(block.section or ""):
            return {"role": role, "label": None}
    return {"role": _DEFAULT.get(doc_type, "other"), "label": None}
