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
item "Recommendation 8.5", and the unnumbered replies below it answer it.
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


def assign_roles(blocks: list[Block], doc_type: str) -> list[Block]:
    """The blocks with ``role`` and ``label`` set on every paragraph."""
    result, quoted = [], set()  # the item headings whose first paragraph has been seen
    latest: dict[str | None, str] = {}  # section -> its last numbered paragraph's label
    for block in blocks:
        if block.kind == "paragraph":
            found = _role(block, doc_type)
            dotted = _DOTTED.match(block.text) if _LISTS_ITEMS.search(block.section or "") else None
            if not found["label"] and dotted:
                found = {"role": "recommendation", "label": f"Recommendation {dotted.group(1)}"}
                latest[block.section] = found["label"]
            elif not found["label"] and block.section in latest and doc_type != "inspection":
                found["label"] = latest[block.section]  # the reply below a numbered item
            elif doc_type != "inspection" and found["label"] and not _numbered(block.text):
                if block.section in quoted:  # an answer below the quoted item
                    found["role"] = _DEFAULT.get(doc_type, "other")
                quoted.add(block.section)
            block = replace(block, **found)
        result.append(block)
    return result


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
