"""The sentences of a paragraph: embedded beside it, and marked when it matches by meaning alone.

A long paragraph that makes the point in one sentence ("leaders in all
agencies need to plan together...") is diluted in the paragraph's vector;
scoring it partly by its nearest sentence lets the search find it, and the
same sentence is what the results page marks.
"""

from __future__ import annotations

import re

# a sentence ends at . ! or ? followed by space and a capital, digit or opening quote
_SENTENCE = re.compile(r"\S.*?(?:[.!?](?=\s+[\"'‘“(]?[A-Z0-9])|$)", re.S)


def spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``; none for a paragraph of one sentence, which is its own."""
    found = [match.span() for match in _SENTENCE.finditer(text)]
    return found if len(found) > 1 else []


def of(text: str) -> list[str]:
    return [text[start:end] for start, end in spans(text)]
